// `npm run results`: writes docs/results.md from the sweeps in scripts/results/, each trained by
// `dmil sweep` into results-runs/<version>-<commit>/ and tabulated by `dmil compare`. Every table
// carries the dmil version and commit that produced it and the commands that did; nothing in it
// is copied by hand. A sweep already trained at this commit is read, not trained again.
//   npm run results [-- --only FILE] [--jobs N] [--allow-dirty]
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Table {
  /** The sweep file in scripts/results/. */
  file: string;
  title: string;
  /** What the table answers. */
  about: string;
  split: 'test' | 'val';
  baseline: string;
}

const TABLES: Table[] = [
  {
    file: 'main-mix.yaml', title: 'Four interaction types on synthetic data (configs/mix.yaml)', split: 'test', baseline: 'model.paradigm=joint',
    about: 'Samples of known type: R .3, U1 .2, U2 .2, S .3, modality b noisier. Test split, reported once; the settings were fixed before these runs.',
  },
  {
    file: 'main-fashion-pairs.yaml', title: 'Four interaction types on pairs of real images (configs/fashion-pairs.yaml)', split: 'test', baseline: 'model.paradigm=joint',
    about: 'Pairs of Fashion-MNIST images (classes 0-3) with known per-sample interaction types; test pairs drawn from the held-out t10k images. Test split, reported once.',
  },
  {
    file: 'xor.yaml', title: 'Pure synergy (configs/xor.yaml)', split: 'test', baseline: 'model.paradigm=joint',
    about: 'Every sample is XOR-like: neither modality alone says anything about the label, so the ensemble must stay at chance (0.25) with a synergy indicator of 0.',
  },
  {
    file: 'ablations-mix.yaml', title: 'Ablations on synthetic data, validation split', split: 'val', baseline: 'reference',
    about: 'One (ours) choice at a time against the reference DMIL (the paper\'s three stages with our choices). Validation split: the numbers the defaults are chosen on (docs/explanation/method.md).',
  },
  {
    file: 'ablations-fashion-pairs.yaml', title: 'Ablations on real-image pairs, validation split', split: 'val', baseline: 'reference',
    about: 'As above, on the Fashion-MNIST pairs.',
  },
];

const root = path.resolve(__dirname, '..', '..');
const dmil = path.join(root, 'bin', 'dmil');
const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

function git(...a: string[]): string {
  return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
}

function run(argv: string[]): string {
  const r = spawnSync(process.execPath, [dmil, ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`dmil ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function main(): void {
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const commit = git('rev-parse', '--short=10', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  if (dirty && !args.includes('--allow-dirty')) throw new Error('the checkout has uncommitted changes: commit first (the tables name the commit that produced them), or pass --allow-dirty');
  const runsDir = path.join(root, 'results-runs', `${version}-${commit}${dirty ? '-dirty' : ''}`);
  const jobs = opt('--jobs') ?? String(Math.max(1, os.availableParallelism()));
  const only = opt('--only');
  const sections: string[] = [];
  for (const t of TABLES.filter((x) => !only || x.file === only)) {
    const sweepFile = path.join('scripts', 'results', t.file);
    process.stderr.write(`results: ${t.file} ...\n`);
    const id = run(['sweep', sweepFile, '--runs-dir', runsDir, '--jobs', jobs, '-q']).trim().split('\n').pop()!;
    const compareArgs = ['compare', id, '--runs-dir', runsDir, '--split', t.split, '--baseline', t.baseline, '--markdown'];
    const table = run(compareArgs).trim();
    const stamp = `dmil ${version}, commit ${commit}${dirty ? ' with uncommitted changes' : ''}, ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version} on ${os.cpus().length} cores`;
    sections.push([
      `## ${t.title}`, '', `${t.about} (${stamp}.)`, '',
      '```sh',
      `dmil sweep ${sweepFile} --runs-dir RUNS`,
      `dmil ${compareArgs.map((a) => (a === runsDir ? 'RUNS' : a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
      '```', '',
      table, '',
    ].join('\n'));
  }
  const header = [
    '# Results', '',
    'Written by `npm run results` (scripts/results.ts). Every table is the sweep file named above it, trained by `dmil sweep` and tabulated by '
      + '`dmil compare` exactly as shown (RUNS: the folder the script trains into), with the dmil version and commit that produced it; no number here is copied by hand.', '',
    'Defaults are chosen on validation (the ablation tables); test numbers are reported once (the paradigm tables). Mean ± standard deviation over seeds; '
      + 'paired differences against the baseline over matching seeds with 95% paired-t intervals.', '',
  ];
  const out = path.join(root, 'docs', 'results.md');
  if (only && fs.existsSync(out)) {
    // Only one table regenerated: it replaces its own section.
    const old = fs.readFileSync(out, 'utf8');
    const title = `## ${TABLES.find((x) => x.file === only)!.title}`;
    const start = old.indexOf(title);
    const end = start < 0 ? -1 : old.indexOf('\n## ', start + title.length);
    const next = start < 0 ? `${old.trimEnd()}\n\n${sections[0]}` : `${old.slice(0, start)}${sections[0]}${end < 0 ? '' : old.slice(end + 1)}`;
    fs.writeFileSync(out, next);
  } else {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${[...header, ...sections].join('\n').trimEnd()}\n`);
  }
  process.stderr.write(`results: wrote ${path.relative(root, out)} (runs in ${path.relative(root, runsDir)})\n`);
}

main();
