// One training in a process of its own, so that its peak memory is its own: prints JSON with the
// seconds taken and the peak resident set size. Used by bench/run.ts.
//   node dist/bench/trainRss.js CONFIG [key=value ...]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../src/backend/select';
import { readConfigFile } from '../src/config/load';
import { trainNew } from '../src/experiment/train';
import { silentLogger } from '../src/log';

async function main(): Promise<void> {
  const [file, ...sets] = process.argv.slice(2);
  const { config } = readConfigFile(file, sets);
  const backend = await selectBackend('wasm');
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-rss-'));
  const t0 = performance.now();
  try {
    await trainNew(config, { runsDir, backend, logger: silentLogger, command: [] });
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
