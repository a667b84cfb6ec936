// `npm run results`: writes docs/results.md from the sweeps in scripts/results/, each trained by
// `dmil sweep` into results-runs/<version>-<commit>/ and tabulated by `dmil compare`. Every table
// carries the dmil version and commit that produced it and the commands that did; nothing in it
// is copied by hand. A sweep already trained at this commit is read, not trained again.
//   npm run results [-- --only FILE] [--jobs N] [--allow-dirty] [--runs-dir DIR]
// --runs-dir re-tabulates runs trained at an earlier commit of the same version (after a fix in
// how tables are drawn, say) without training them again: each table names the commit its runs
// were trained at, from their meta.json, beside the commit that drew it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { decide, decisionMarkdown, type Ablation, type SettingRuns } from '../src/compare/decision';

interface Table {
  /** The sweep file in scripts/results/. */
  file: string;
  title: string;
  /** What the table answers. */
  about: string;
  split: 'test' | 'val';
  baseline: string;
  /** For an ablation sweep: the data set's name in the decision table. */
  ablation?: string;
  /** Also written into README.md, between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
  readme?: string;
  /** A second baseline whose paired differences are added below the table (every method against DMIL). */
  alsoAgainst?: string;
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
    file: 'main-mix3.yaml', title: 'Three modalities (configs/mix3.yaml)', split: 'test', baseline: 'model.paradigm=joint',
    about: 'Synthetic text, audio and vision with known types R, U1, U2, U3, S (S: y = a_1 + a_2 + a_3 mod C); DMIL with K + 2 = 5 gate components. Test split, reported once.',
  },
  {
    file: 'comparisons-mix.yaml', title: 'DMIL against the comparison methods on synthetic data (configs/mix.yaml)', split: 'test', baseline: 'model.paradigm=joint', readme: 'comparisons-mix', alsoAgainst: 'model.paradigm=dmil',
    about: 'Joint training, OGM-GE, PMR, MLA, QMF, I2M2, I2MoE and DMIL on the same backbones, data, seeds (1-3) and selection rule (validation cross-entropy), each method at its paper\'s defaults (docs/explanation/comparisons.md). Test split, reported once.',
  },
  {
    file: 'comparisons-fashion-pairs.yaml', title: 'DMIL against the comparison methods on real-image pairs (configs/fashion-pairs.yaml)', split: 'test', baseline: 'model.paradigm=joint', readme: 'comparisons-fashion-pairs', alsoAgainst: 'model.paradigm=dmil',
    about: 'As above, on the Fashion-MNIST pairs. Test split, reported once.',
  },
  {
    file: 'ablations-mix.yaml', title: 'Ablations on synthetic data, validation split', split: 'val', baseline: 'reference', ablation: 'synthetic',
    about: 'One choice at a time against the defaults ("reference"), seeds 1-5. Validation split: the numbers the defaults are chosen on (below, and docs/explanation/method.md).',
  },
  {
    file: 'ablations-fashion-pairs.yaml', title: 'Ablations on real-image pairs, validation split', split: 'val', baseline: 'reference', ablation: 'pairs',
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

/**
 * The commits (short) the runs of a sweep were trained at, from each run's meta.json, with what
 * the checkout had beyond the commit where it had anything (source.diff's `git status` lines).
 */
function trainedAt(id: string, runsDir: string, split: string): string[] {
  const groups = JSON.parse(run(['compare', id, '--runs-dir', runsDir, '--split', split, '--json'])) as Array<{ runs: Array<{ id: string }> }>;
  const commits = new Set(groups.flatMap((g) => g.runs.map((r) => {
    const dir = path.join(runsDir, r.id);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { git_commit?: string; git_dirty?: boolean };
    if (!meta.git_commit) return 'unknown';
    if (!meta.git_dirty) return meta.git_commit.slice(0, 10);
    const diff = fs.existsSync(path.join(dir, 'source.diff')) ? fs.readFileSync(path.join(dir, 'source.diff'), 'utf8') : '';
    const status = diff.split('# git diff HEAD')[0].split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => (l.startsWith('??') ? `${l.slice(3).trim()} untracked` : `${l.slice(3).trim()} changed`));
    return `${meta.git_commit.slice(0, 10)} (with ${status.length ? status.join('; ') : 'local changes'})`;
  })));
  return [...commits].sort();
}

/** A compare label ("model.dmil.adversary=off", "reference") and a sweep variant's overrides, compared without spaces and quotes. */
const normal = (s: string) => s.replace(/[\s'"]/g, '');

/** The ablation sweep's settings by variant name, from `dmil compare --json` and the sweep file. */
function ablation(t: Table, id: string, runsDir: string): Ablation {
  const groups = JSON.parse(run(['compare', id, '--runs-dir', runsDir, '--split', 'val', '--json'])) as SettingRuns[];
  const variants = (parse(fs.readFileSync(path.join(root, 'scripts', 'results', t.file), 'utf8')) as { variants: Record<string, string[]> }).variants;
  const byLabel = new Map(groups.map((g) => [normal(g.label), g]));
  const settingOf = (name: string, sets: string[]) => {
    const g = byLabel.get(sets.length ? normal(sets.join(' ')) : 'reference');
    if (!g) throw new Error(`${t.file}: no setting of compare's output is variant "${name}" (labels: ${groups.map((x) => x.label).join('; ')})`);
    return g;
  };
  const [refName, refSets] = Object.entries(variants).find(([, sets]) => sets.length === 0)!;
  return {
    data: t.ablation!,
    reference: settingOf(refName, refSets),
    variants: new Map(Object.entries(variants).filter(([, sets]) => sets.length > 0).map(([name, sets]) => [name, settingOf(name, sets)])),
  };
}

const DECISION_ABOUT = [
  '## How the defaults were decided', '',
  'The rule (docs/explanation/method.md): the paper\'s form of a choice is the default unless, on the validation split of either data set above, it fails against our form: '
    + 'its accuracy is significantly lower overall or on some interaction type (the paired-t interval of paper minus ours lies below 0, at 95% shared out over the accuracies tested: 99% each with four types), or its gate loses the decomposition '
    + '(some type puts less than 0.5, or less than on another component, on its own component, mean over seeds). "(paper)" variants are the paper\'s form against our default; '
    + '"(ours)" variants are ours against the paper\'s default. Computed by src/compare/decision.ts from the two ablation sweeps.', '',
].join('\n');

function main(): void {
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const commit = git('rev-parse', '--short=10', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  if (dirty && !args.includes('--allow-dirty')) throw new Error('the checkout has uncommitted changes: commit first (the tables name the commit that produced them), or pass --allow-dirty');
  const runsDir = opt('--runs-dir') ? path.resolve(opt('--runs-dir')!) : path.join(root, 'results-runs', `${version}-${commit}${dirty ? '-dirty' : ''}`);
  const jobs = opt('--jobs') ?? String(Math.max(1, os.availableParallelism()));
  const only = opt('--only');
  const sections: string[] = [];
  const ablations: Ablation[] = [];
  for (const t of TABLES.filter((x) => !only || x.file === only)) {
    const sweepFile = path.join('scripts', 'results', t.file);
    process.stderr.write(`results: ${t.file} ...\n`);
    const id = run(['sweep', sweepFile, '--runs-dir', runsDir, '--jobs', jobs, '-q']).trim().split('\n').pop()!;
    const compareArgs = ['compare', id, '--runs-dir', runsDir, '--split', t.split, '--baseline', t.baseline, '--markdown'];
    const table = run(compareArgs).trim();
    // Against the second baseline: only its paired differences (the rest repeats the table above).
    const againstArgs = t.alsoAgainst ? [...compareArgs.slice(0, -3), '--baseline', t.alsoAgainst, '--markdown'] : undefined;
    const against = againstArgs ? run(againstArgs).trim().split('\n\n').find((part) => part.startsWith('paired differences')) : undefined;
    if (againstArgs && !against) throw new Error(`${t.file}: dmil compare --baseline ${t.alsoAgainst} printed no paired differences`);
    if (t.ablation) ablations.push(ablation(t, id, runsDir));
    const drawnAt = `${commit}${dirty ? ' with uncommitted changes' : ''}`;
    const trained = trainedAt(id, runsDir, t.split);
    const at = trained.length === 1 && trained[0] === commit && !dirty ? `commit ${commit}` : `runs trained at commit ${trained.join(', ')}, tables drawn at ${drawnAt}`;
    const stamp = `dmil ${version}, ${at}, ${new Date().toISOString().slice(0, 10)}, Node.js ${process.version} on ${os.cpus().length} cores`;
    sections.push([
      `## ${t.title}`, '', `${t.about} (${stamp}.)`, '',
      '```sh',
      `dmil sweep ${sweepFile} --runs-dir RUNS`,
      `dmil ${compareArgs.map((a) => (a === runsDir ? 'RUNS' : a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
      ...(againstArgs ? [`dmil ${againstArgs.map((a) => (a === runsDir ? 'RUNS' : a)).join(' ')}`] : []),
      '```', '',
      table, '',
      ...(against ? [`${against}`, ''] : []),
    ].join('\n'));
  }
  if (!only) {
    const rows = decide(ablations);
    sections.push(`${DECISION_ABOUT}\n${decisionMarkdown(rows)}\n`);
    const disagree = rows.filter((r) => r.rule !== null && r.rule !== r.defaults);
    if (disagree.length) process.stderr.write(`results: the defaults disagree with the rule on ${disagree.map((r) => r.variant).join(', ')}\n`);
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
  for (const t of TABLES.filter((x) => x.readme && (!only || x.file === only))) writeIntoReadme(t.readme!, sections[TABLES.filter((x) => !only || x.file === only).indexOf(t)]);
  process.stderr.write(`results: wrote ${path.relative(root, out)} (runs in ${path.relative(root, runsDir)})\n`);
}

/** A table's section (its heading dropped) replaces what README.md holds between its markers. */
function writeIntoReadme(name: string, section: string): void {
  const file = path.join(root, 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} markers for this table`);
  const body = section.split('\n').slice(2).join('\n').trim();
  fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
  process.stderr.write(`results: wrote the ${name} table into README.md\n`);
}

main();
