// `npm run mutants`: the mutation canary. Applies each semantic mutation of mutants.json (a
// search/replace in one source file) to a scratch copy of the repository, builds it, runs the
// tests that should catch it, and reports which mutants the tests killed. Every listed mutant
// must be killed; a mutant whose search text is gone is reported stale (update the list).
//   node dist/test/mutants/run.js [--only SUBSTRING] [--jobs N] [--full]
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Mutant {
  name: string;
  file: string;
  from: string;
  to: string;
  /** Test files (without .test.ts) that must catch it; --full runs the whole suite instead. */
  tests: string[];
}

type Verdict = 'killed' | 'SURVIVED' | 'STALE (search text not found once)' | 'DID NOT COMPILE';

const root = path.resolve(__dirname, '..', '..', '..');
const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const full = args.includes('--full');
const jobs = Number(opt('--jobs') ?? 2);

function run(cmd: string, argv: string[], cwd: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** A scratch copy of the repository's files (tracked and untracked, not ignored), sharing node_modules. */
function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-mutant-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root }).toString().split('\n').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(root, f))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

async function tryMutant(m: Mutant): Promise<Verdict> {
  const dir = scratchCopy();
  try {
    const file = path.join(dir, m.file);
    const text = fs.readFileSync(file, 'utf8');
    if (text.split(m.from).length !== 2) return 'STALE (search text not found once)';
    fs.writeFileSync(file, text.replace(m.from, () => m.to));
    if (await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir) !== 0) return 'DID NOT COMPILE';
    if (await run(process.execPath, [path.join('scripts', 'build-wasm.js')], dir) !== 0) return 'DID NOT COMPILE';
    const testFiles = full
      ? fs.readdirSync(path.join(dir, 'dist', 'test')).filter((f) => f.endsWith('.test.js')).map((f) => path.join('dist', 'test', f))
      : m.tests.map((t) => path.join('dist', 'test', `${t}.test.js`));
    const status = await run(process.execPath, ['--test', '--test-concurrency=1', ...testFiles], dir);
    return status === 0 ? 'SURVIVED' : 'killed';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = opt('--only');
  const mutants = (JSON.parse(fs.readFileSync(path.join(root, 'test', 'mutants', 'mutants.json'), 'utf8')) as Mutant[])
    .filter((m) => !only || m.name.includes(only));
  const verdicts: Verdict[] = new Array(mutants.length);
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < mutants.length) {
      const i = next++;
      verdicts[i] = await tryMutant(mutants[i]);
      process.stdout.write(`${verdicts[i].padEnd(9)}  ${mutants[i].name}  (${full ? 'all tests' : mutants[i].tests.join(', ')})\n`);
    }
  }));
  const bad = verdicts.filter((v) => v !== 'killed').length;
  process.stdout.write(`\n${mutants.length - bad} of ${mutants.length} mutants killed in ${((Date.now() - started) / 1000).toFixed(0)} s${bad ? `; ${bad} not killed` : ''}\n`);
  process.exitCode = bad ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
