// Assembles dmil's hand-written wasm loops (src/backend/*.wat) with wabt into dist/src/backend,
// twice each: `NAME.wasm` imports the single-threaded wasm backend's memory, `NAME.shared.wasm`
// the threaded build's shared memory. Part of `npm run build`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const srcDir = path.join(root, 'src', 'backend');
const outDir = path.join(root, 'dist', 'src', 'backend');
const variants = [
  { suffix: '.wasm', limits: '1' },
  { suffix: '.shared.wasm', limits: '1 65536 shared' },
];

async function main() {
  const wabt = await require('wabt')();
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith('.wat'))) {
    const text = fs.readFileSync(path.join(srcDir, file), 'utf8');
    if (!text.includes('MEMORY_LIMITS')) throw new Error(`${file}: the memory import must read (memory MEMORY_LIMITS)`);
    for (const { suffix, limits } of variants) {
      const features = { threads: true, bulk_memory: true, simd: true };
      const mod = wabt.parseWat(file, text.replace('MEMORY_LIMITS', limits), features);
      try {
        mod.validate(features);
        const { buffer } = mod.toBinary({});
        const out = path.join(outDir, file.replace(/\.wat$/, suffix));
        fs.writeFileSync(`${out}.tmp`, buffer);
        fs.renameSync(`${out}.tmp`, out);
      } finally {
        mod.destroy();
      }
    }
  }
}

main().catch((e) => {
  process.stderr.write(`build-wasm: ${e.message}\n`);
  process.exit(1);
});
