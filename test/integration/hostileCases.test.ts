// The hostile tester's cases (shared/reports/hostile-cases.md, dmil at 51badc7), one row each,
// numbered as there. Each bad input ends with one line, exit 2, and leaves every file under the
// test's folder as it was (nothing lost, nothing left behind). Cases whose fix is that the input
// now works (old runs, spaces or unicode in a CSV header, flow-style sweep files, interrupted or
// removed sweep cells) check that it works. Kills at fsync, full disks and read-only mounts are in
// test/integration/hostileMounts.test.ts; runs of earlier versions (9-14) in oldRuns.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { dmilBin, fixture, lastLine, repoRoot, runCli, tinyConfig, tmpDir, type CliResult } from '../helpers';

const root = tmpDir('hostile-cases');
const runsDir = path.join(root, 'runs');
const at = (...p: string[]) => path.join(root, ...p);
const write = (name: string, text: string | Buffer) => {
  fs.mkdirSync(path.dirname(at(name)), { recursive: true });
  fs.writeFileSync(at(name), text);
  return at(name);
};
const yaml = (name: string, value: unknown) => write(name, stringify(value));
const cli = (args: string[]) => runCli(args, { cwd: root });

/** Every path under `dir` with its type, size and modification time: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const s = fs.lstatSync(p);
      const kind = s.isSymbolicLink() ? `link:${fs.readlinkSync(p)}` : s.isDirectory() ? 'dir' : s.isFIFO() ? 'fifo' : `file:${s.size}:${s.mtimeMs}`;
      out[path.relative(dir, p)] = kind;
      if (e.isDirectory() && !s.isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Exit 2, one line naming what is wrong, and no file under the test folder changed. */
function refused(n: number, args: string[], expect: RegExp, run: (a: string[]) => CliResult = cli): void {
  const before = snapshot(root);
  const r = run(args);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(r.status, 2, `case ${n}: exit 2 (stderr: ${r.stderr})`);
  assert.equal(lines.length, 1, `case ${n}: one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^dmil: /, `case ${n}`);
  assert.match(lines[0], expect, `case ${n}`);
  assert.doesNotMatch(lines[0], /internal error/, `case ${n}`);
  assert.deepEqual(snapshot(root), before, `case ${n}: nothing lost, nothing left behind`);
}

const tiny = (over: Record<string, unknown> = {}) => tinyConfig({ train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } }, ...over });
const train = (config: unknown, dir = runsDir): string => {
  const r = cli(['train', yaml(`cfg-${Math.random().toString(16).slice(2)}.yaml`, config), '--runs-dir', dir, '-q']);
  assert.equal(r.status, 0, r.stderr);
  return lastLine(r.stdout);
};
const RUN = train(tiny());
const RUN2 = train(tiny({ seed: 2 }));

test('cases 1, 2 and the done-when list: runs rm takes only a run id; ../, ./, absolute paths and lookalike folders survive', () => {
  write('victim/meta.json', '{"anything": 1}');
  write('victim/data.txt', 'precious');
  write('victim/sub/more.txt', 'more');
  write('victim2/meta.json', 'x');
  write('runs/look/meta.json', '{"anything": 1}');
  write('runs/look/keep.txt', 'keep');
  fs.cpSync(path.join(runsDir, RUN), path.join(runsDir, 'copy-of-a-run'), { recursive: true });
  refused(1, ['runs', 'rm', '../victim', '--runs-dir', 'runs'], /\.\.\/victim: name the run by its id, not by a path/);
  refused(2, ['runs', 'rm', './victim2', '--runs-dir', 'runs'], /name the run by its id, not by a path/);
  refused(1, ['runs', 'rm', at('victim'), '--runs-dir', 'runs'], /name the run by its id, not by a path/);
  refused(1, ['runs', 'rm', path.join(runsDir, RUN), '--runs-dir', 'runs'], /name the run by its id, not by a path/);
  refused(1, ['runs', 'rm', 'look', '--runs-dir', 'runs'], /runs\/look: not a dmil run folder: its meta.json is not a dmil run record/);
  refused(1, ['runs', 'rm', 'copy-of-a-run', '--runs-dir', 'runs'], /not a dmil run folder: its meta.json is the record of run "tiny-/);
  assert.equal(fs.readFileSync(at('victim/data.txt'), 'utf8'), 'precious');
  assert.equal(fs.readFileSync(at('runs/look/keep.txt'), 'utf8'), 'keep');
  fs.rmSync(at('runs/look'), { recursive: true });
  fs.rmSync(path.join(runsDir, 'copy-of-a-run'), { recursive: true });
});

test('cases 3-8, 83, 84, 88-90 and the done-when list: output files are regular files outside run folders; links, devices, FIFOs, run files and unwritable folders are refused, the target unchanged', () => {
  write('target.html', 'keep me');
  fs.symlinkSync('/proc/self/fd/1', at('stdout'));
  fs.symlinkSync(at('target.html'), at('link.html'));
  fs.symlinkSync(at('target.html'), at('link2.csv'));
  spawnSync('mkfifo', [at('fifo.html')]);
  const meta = fs.readFileSync(path.join(runsDir, RUN, 'meta.json'), 'utf8');
  refused(3, ['report', RUN, '--runs-dir', 'runs', '--out', '/dev/full'], /\/dev\/full: --out is a device, not a regular file/);
  assert.ok(fs.statSync('/dev/full').isCharacterDevice());
  refused(4, ['report', RUN, '--runs-dir', 'runs', '--out', 'stdout'], /stdout: --out is a symbolic link/);
  refused(5, ['report', RUN, '--runs-dir', 'runs', '--out', `runs/${RUN}/meta.json`], /--out is inside a run folder, whose files only dmil writes/);
  refused(5, ['report', RUN, '--runs-dir', 'runs', '--out', `runs/${RUN}/meta.json`, '--force'], /--out is inside a run folder/);
  assert.equal(fs.readFileSync(path.join(runsDir, RUN, 'meta.json'), 'utf8'), meta);
  refused(6, ['report', RUN, '--runs-dir', 'runs', '--out', 'link.html', '--force'], /link\.html: --out is a symbolic link/);
  refused(7, ['report', RUN, '--runs-dir', 'runs', '--out', 'fifo.html'], /fifo\.html: --out is a FIFO \(named pipe\), not a regular file/);
  refused(8, ['decompose', RUN, '--runs-dir', 'runs', '--out', 'link2.csv'], /link2\.csv: --out is a symbolic link/);
  assert.equal(fs.readFileSync(at('target.html'), 'utf8'), 'keep me');
  refused(83, ['init', '--csv', path.join(repoRoot, 'datasets', 'example.csv'), '--out', 'nodir/x.yaml'], /nodir\/x\.yaml: the folder of the output file does not exist/);
  refused(84, ['init', '--csv', path.join(repoRoot, 'datasets', 'example.csv'), '--out', '/proc/x.yaml'], /\/proc\/x\.yaml: cannot create a file in this folder/);
  refused(88, ['decompose', RUN, '--runs-dir', 'runs', '--out', '/proc/x.csv'], /\/proc\/x\.csv: cannot create a file in this folder/);
  refused(89, ['report', RUN, '--runs-dir', 'runs', '--out', '/proc/x.html'], /\/proc\/x\.html: cannot create a file in this folder/);
  refused(90, ['pid', RUN, '--runs-dir', 'runs', '--pointwise', '/proc/x.csv'], /\/proc\/x\.csv: cannot create a file in this folder/);
  // An existing regular file is replaced only with --force; - is standard output.
  refused(6, ['report', RUN, '--runs-dir', 'runs', '--out', 'target.html'], /target\.html: --out exists \(pass --force to replace it/);
  const r = cli(['report', RUN, '--runs-dir', 'runs', '--out', '-']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^<!DOCTYPE html>/);
});

test('cases 15 and 30: a sweep stopped by Ctrl-C twice, and one whose cell run was removed, finish when the same command runs again', async () => {
  const cfg = yaml('sweep-long.yaml', tiny({ train: { epochs: 60, batch_size: 8, early_stop: { patience: 0 } } }));
  const dir = path.join(root, 'sweep-runs');
  const args = ['sweep', cfg, '--axis', 'seed=1,2,3', '--jobs', '3', '--runs-dir', dir, '-q'];
  const child = spawn(process.execPath, [dmilBin, ...args], { cwd: root, detached: true, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  const started = () => fs.existsSync(path.join(dir, 'sweeps')) && fs.readdirSync(dir).filter((d) => d !== 'sweeps' && !d.startsWith('.')).length === 3;
  for (let i = 0; i < 300 && !started(); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1500));
  process.kill(-child.pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 200));
  try {
    process.kill(-child.pid!, 'SIGINT');
  } catch {
    // every process of the group is gone already
  }
  await exited;
  const again = cli(args);
  assert.equal(again.status, 0, `case 15: ${again.stderr}`);
  const id = lastLine(again.stdout);
  const status = () => cli(['sweep', 'status', id, '--runs-dir', dir]).stdout;
  assert.equal((status().match(/ done /g) ?? []).length, 3, `case 15: every cell done:\n${status()}`);
  // Case 30: a cell's run removed with runs rm is trained again by the same command.
  const cellRun = fs.readFileSync(path.join(dir, 'sweeps', id, 'cells', '0.run'), 'utf8').trim();
  assert.equal(cli(['runs', 'rm', cellRun, '--runs-dir', dir]).status, 0);
  const third = cli(args);
  assert.equal(third.status, 0, `case 30: ${third.stderr}`);
  assert.notEqual(fs.readFileSync(path.join(dir, 'sweeps', id, 'cells', '0.run'), 'utf8').trim(), cellRun, 'case 30: a new run for cell 0');
  assert.equal((status().match(/ done /g) ?? []).length, 3, `case 30: every cell done:\n${status()}`);
});

test('cases 16, 17: two identical sweeps started together (or 1 s apart) train each cell once; the second says the sweep is in use', async () => {
  for (const [n, delay] of [[16, 0], [17, 1000]] as const) {
    const dir = path.join(root, `twice-${n}`);
    const cfg = yaml(`twice-${n}.yaml`, tiny({ train: { epochs: 30, batch_size: 8, early_stop: { patience: 0 } } }));
    const args = ['sweep', cfg, '--axis', 'seed=1,2,3', '--jobs', '2', '--runs-dir', dir, '-q'];
    const start = () => new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [dmilBin, ...args], { cwd: root });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (status) => resolve({ status, stderr }));
    });
    const first = start();
    await new Promise((r) => setTimeout(r, delay));
    const results = await Promise.all([first, start()]);
    const runs = fs.readdirSync(dir).filter((d) => d !== 'sweeps' && !d.startsWith('.'));
    assert.equal(runs.length, 3, `case ${n}: one run per cell (${runs.join(', ')}); ${results.map((r) => r.stderr).join(' | ')}`);
    const refusedOnes = results.filter((r) => r.status === 2);
    assert.ok(refusedOnes.length <= 1 && results.some((r) => r.status === 0), `case ${n}: ${results.map((r) => `${r.status} ${r.stderr}`).join(' | ')}`);
    for (const r of refusedOnes) assert.match(r.stderr, /^dmil: [^\n]*: sweep (is in use by process|is being locked)[^\n]*\n$/, `case ${n}`);
  }
});

test('cases 18-22, 31, 66-70, 94: sweeps refuse repeated cells, bad axis keys, repeated --axis, too many cells and bad --jobs before writing anything; flow-style files are read', () => {
  const base = yaml('sweep-base.yaml', tiny());
  const sweepFile = (name: string, body: Record<string, unknown>) => yaml(name, { config: 'sweep-base.yaml', ...body });
  refused(18, ['sweep', sweepFile('dup1.yaml', { axes: { seed: [1, 1] } }), '--runs-dir', 'runs'], /dup1\.yaml:\d+:\d+: axis "seed" lists 1 twice/);
  refused(19, ['sweep', sweepFile('dup2.yaml', { axes: { seed: [1, '1'] } }), '--runs-dir', 'runs'], /dup2\.yaml:\d+:\d+: axis "seed" lists 1 twice/);
  refused(20, ['sweep', sweepFile('dup3.yaml', { axes: { seed: [1, 2] }, variants: { a: [], b: [] } }), '--runs-dir', 'runs'], /cells 0 \(seed=1 a\) and 1 \(seed=1 b\) are the same config/);
  refused(21, ['sweep', sweepFile('space.yaml', { axes: { 'seed ': [1, 2] } }), '--runs-dir', 'runs'], /space\.yaml:\d+:\d+: axis key "seed " has spaces/);
  refused(21, ['sweep', sweepFile('unknown.yaml', { axes: { sed: [1, 2] } }), '--runs-dir', 'runs'], /axis "sed": unknown key "sed" \(did you mean "seed"\?\)/);
  refused(22, ['sweep', base, '--axis', 'seed=1,2', '--axis', 'seed=3', '--runs-dir', 'runs'], /--axis seed=3: axis "seed" is given twice \(list all its values in one flag: --axis seed=1,2,3\)/);
  const seeds = Array.from({ length: 1000 }, (_, i) => i + 1).join(',');
  const t0 = Date.now();
  refused(31, ['sweep', base, '--axis', `seed=${seeds}`, '--axis', `train.epochs=${seeds}`, '--runs-dir', 'runs'], /the sweep has 1,000,000 cells \(1000 seed x 1000 train\.epochs\); at most 1000 are allowed/);
  assert.ok(Date.now() - t0 < 20_000, 'case 31: refused at once');
  for (const [n, jobs] of [[66, '0'], [67, '-1'], [68, 'abc'], [69, '1.5']] as const) {
    refused(n, ['sweep', base, '--axis', 'seed=1,2', '--jobs', jobs, '--runs-dir', 'runs'], /--jobs takes a whole number from 1 to 1024/);
  }
  refused(94, ['sweep', 'cell', '--runs-dir', 'runs'], /dmil sweep cell: dmil sweep cell takes the sweep folder and a cell index/);
  write('flow.yaml', '{config: sweep-base.yaml, axes: {seed: [1, 2]}}\n');
  const flow = cli(['sweep', 'flow.yaml', '--dry-run', '--runs-dir', 'runs']);
  assert.equal(flow.status, 0, `case 70: ${flow.stderr}`);
  assert.match(flow.stdout, /seed=1[\s\S]*seed=2/, 'case 70: both cells listed');
  assert.ok(!fs.existsSync(path.join(runsDir, 'sweeps')), 'no sweep folder was written');
});

test('cases 23-25, 28, 29, 71-74, 79: compare and report count each run once and refuse what is not done; damaged sweep and run files are one line', () => {
  refused(23, ['compare', RUN, RUN, '--runs-dir', 'runs'], /run tiny-\S+ is named twice \(as tiny-\S+ and as tiny-\S+\); a run counts once/);
  refused(25, ['report', RUN, RUN.slice(0, -2), '--runs-dir', 'runs', '--out', 'dup.html'], /is named twice/);
  // Case 24: two runs of one config and seed under different names.
  const allDir = path.join(root, 'all-runs');
  const cfg = yaml('same.yaml', tiny());
  for (let i = 0; i < 2; i++) assert.equal(cli(['train', cfg, '--runs-dir', allDir, '-q']).status, 0);
  refused(24, ['compare', '--all', '--runs-dir', allDir], /runs tiny-\S+ and tiny-\S+ are the same setting \(all runs\) and seed 1; a seed counts once/);

  // A sweep of four cells, two of which fail (they diverge).
  const sdir = path.join(root, 'failing');
  yaml('fail-base.yaml', tiny());
  const file = yaml('failing.yaml', { config: 'fail-base.yaml', retries: 0, axes: { seed: [1, 2] }, variants: { ok: [], bad: ['train.optimizer={type: sgd, lr: 1.0e+30}'] } });
  const s = cli(['sweep', file, '--runs-dir', sdir, '--jobs', '2']);
  assert.equal(s.status, 1, s.stderr);
  assert.match(s.stderr, /2 of 4 cells done, 2 failed \(dmil sweep status \S+ says why/);
  const id = lastLine(s.stdout);
  const st = cli(['sweep', 'status', id, '--runs-dir', sdir]);
  assert.match(st.stdout, /failed .*training (loss became NaN|diverged)/, 'sweep status shows why a cell failed');
  refused(29, ['compare', id, '--runs-dir', sdir], /2 of 4 cells of this sweep are not done: cell 1 \(seed=1 bad\) failed: .*--partial/);
  const partial = cli(['compare', id, '--runs-dir', sdir, '--partial']);
  assert.equal(partial.status, 0, partial.stderr);
  assert.match(partial.stderr, /left out 2 of 4 cells of \S+ \(not done\): cell 1 \(seed=1 bad\) failed/);

  const plan = path.join(sdir, 'sweeps', id, 'plan.json');
  const attempts = path.join(sdir, 'sweeps', id, 'cells', '0.attempts');
  const good = fs.readFileSync(attempts, 'utf8');
  fs.writeFileSync(attempts, 'garbage');
  refused(28, ['sweep', file, '--runs-dir', sdir], /cells\/0\.attempts: damaged run file: not a count of tries/);
  fs.writeFileSync(attempts, good);
  const planText = fs.readFileSync(plan, 'utf8');
  fs.writeFileSync(plan, planText.replace('"cells"', '"cells\u0001"'));
  refused(71, ['sweep', file, '--runs-dir', sdir], /plan\.json: damaged run file: not valid JSON/);
  refused(72, ['sweep', 'status', id, '--runs-dir', sdir], /plan\.json: damaged run file: not valid JSON/);
  refused(73, ['report', id, '--runs-dir', sdir], /plan\.json: damaged run file: not valid JSON/);
  refused(74, ['compare', id, '--runs-dir', sdir], /plan\.json: damaged run file: not valid JSON/);
  fs.writeFileSync(plan, planText);

  const damaged = path.join(root, 'damaged-eval');
  fs.cpSync(runsDir, damaged, { recursive: true, filter: (p) => !p.includes(`${path.sep}sweeps`) });
  fs.writeFileSync(path.join(damaged, RUN2, 'eval', 'test.json'), '{bad');
  refused(79, ['compare', RUN, RUN2, '--runs-dir', damaged], /eval\/test\.json: damaged run file: not valid JSON/);
});

test('cases 26, 27, 41, 45-47: data that trains to a number worth nothing is refused before training', () => {
  const rows = (f: (i: number) => string) => Array.from({ length: 200 }, (_, i) => f(i)).join('\n');
  const csv = write('feat.csv', `id,label,g,m1_0,m1_1,m2_0\n${rows((i) => `r${i},${i % 2},${i % 3},${i},${i * 2},${i % 7}`)}\n`);
  const csvData = (extra: Record<string, unknown>, file = csv) => ({ source: 'csv', path: file, id: 'id', modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: 'm2_*' }], ...extra });
  refused(26, ['train', yaml('group-feature.yaml', tiny({ data: csvData({ group: 'm1_0' }) })), '--runs-dir', 'runs'], /feat\.csv:1:4: data\.group names column "m1_0", which modality m1 selects as a feature/);
  refused(27, ['train', yaml('noise.yaml', tiny()), '--set', 'data.modalities.0.noise=1e39', '--runs-dir', 'runs'], /--set data\.modalities\.0\.noise=1e39: data\.modalities\.0\.noise: at most 1000/);
  const emptyGroup = write('empty-group.csv', `id,label,g,m1_0,m1_1,m2_0\n${rows((i) => `r${i},${i % 2},${i === 5 ? '' : i % 3},${i},${i * 2},${i % 7}`)}\n`);
  refused(41, ['train', yaml('empty-group.yaml', tiny({ data: csvData({ group: 'g' }, emptyGroup) })), '--runs-dir', 'runs'], /empty-group\.csv:7:3: empty group/);
  refused(45, ['train', yaml('small.yaml', tiny()), '--set', 'data.samples=20', '--set', 'data.classes=10', '--runs-dir', 'runs'], /data: the validation split (is empty|has \d samples; an accuracy on fewer than 10 says little)/);
  const noTest = write('no-test.csv', `id,label,split,m1_0,m2_0\n${rows((i) => `r${i},${i % 2},${i % 5 === 0 ? 'val' : 'train'},${i},${i % 7}`)}\n`);
  refused(46, ['train', yaml('no-test.yaml', tiny({ data: { ...csvData({ split_column: 'split' }, noTest), modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: 'm2_*' }] } })), '--runs-dir', 'runs'], /no-test\.csv: the test split is empty/);
  const floats = write('floats.csv', `id,label,split,m1_0,m2_0\n${Array.from({ length: 1000 }, (_, i) => `r${i},${(i * 0.37).toFixed(2)},${['train', 'val', 'test'][i % 3]},${i},${i % 7}`).join('\n')}\n`);
  refused(47, ['train', yaml('floats.yaml', tiny({ data: csvData({ split_column: 'split' }, floats) })), '--runs-dir', 'runs'], /floats\.csv: the labels are numbers with fractions \(e\.g\. \S+; \d+ distinct values\): a regression target, not classes/);
});

test('cases 32-40, 80-82, 85, 86, 96: dmil init reads the header (streamed, bounded), maps what it can and refuses the rest with one line', () => {
  const init = (n: number, name: string, text: string | Buffer) => {
    write(name, text);
    return ['init', '--csv', name, '--out', `out-${n}.yaml`];
  };
  refused(32, init(32, 'emptyhdr.csv', 'id,label,a_0,a_1,,b_0\n1,0,1,2,3,4\n'), /emptyhdr\.csv:1:5: column 5 of the header has no name/);
  refused(33, init(33, 'trailing.csv', 'id,label,a_0,a_1,b_0,\n1,0,1,2,3,\n'), /trailing\.csv:1:6: column 6 of the header has no name \(remove the delimiter at the end of each line\)/);
  refused(34, init(34, 'nodigits.csv', 'label,height,width,color,texture\n0,1,2,3,4\n'), /nodigits\.csv:1: the feature columns \(height, width, color, texture\) carry no modality prefix/);
  refused(35, init(35, 'manycols.csv', `label,${Array.from({ length: 3000 }, (_, i) => `p${i}x_0`).join(',')}\n0,${Array.from({ length: 3000 }, () => '1').join(',')}\n`), /manycols\.csv:1: the feature columns form 3000 modalities by prefix \(at most 32 are guessed\)/);
  refused(37, init(37, 'dupcols.csv', 'label,a_0,a_0,b_0\n0,1,2,3\n'), /dupcols\.csv:1:3: column "a_0" appears twice in the header \(columns 2 and 3\)/);
  refused(38, init(38, 'twolabels.csv', 'label,a_0,label,b_0\n0,1,2,3\n'), /twolabels\.csv:1:3: column "label" appears twice in the header/);
  refused(80, init(80, 'unclosed.csv', 'label,a_0,"b_0\n0,1,2\n'), /unclosed\.csv:\d+: malformed CSV: Quote Not Closed/);
  const noise = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256));
  refused(81, init(81, 'binary.csv', noise), /binary\.csv:\d+: (malformed CSV|not a CSV file)/);
  refused(82, init(82, 'binary.bin', noise), /binary\.bin:\d+: (malformed CSV|not a CSV file)/);
  for (const [n, size] of [[85, 600e6], [86, 1e9]] as const) {
    const name = `sparse-${n}.csv`;
    fs.closeSync(fs.openSync(at(name), 'w'));
    fs.truncateSync(at(name), size);
    const t0 = Date.now();
    refused(n, ['init', '--csv', name, '--out', `out-${n}.yaml`], new RegExp(`${name}:1: not a CSV file: no line break in the first 4 MiB`));
    assert.ok(Date.now() - t0 < 20_000, `case ${n}: the header alone is read`);
    fs.rmSync(at(name));
  }
  refused(96, ['init', '--csv', '/dev/zero', '--out', 'out-96.yaml'], /\/dev\/zero: CSV file is a device, not a regular file/);
  // 36, 39, 40: headers with spaces, unicode or YAML syntax map to configs that train; 34's kin
  // with three single-column modalities gets joint, and a text column is set aside.
  const values = (k: number) => Array.from({ length: 120 }, (_, i) => [i % 2, ...Array.from({ length: k }, (__, j) => ((i * (j + 3)) % 11) / 10)].join(',')).join('\n');
  const cases: [number, string, string, RegExp][] = [
    [36, 'spaces.csv', `label, a 0 , a 1 , b 0 \n${values(3)}\n`, /modalities a \(a \*\), b \(b 0\)/],
    [39, 'unicode.csv', `label,音频_0,音频_1,视频_0\n${values(3)}\n`, /modalities m1 \(音频_\*\), m2 \(视频_0\)/],
    [40, 'yamlkey.csv', `label,"a: 0","a: 1",b_0\n${values(3)}\n`, /modalities a \(a: \*\), b \(b_0\)/],
    [34, 'three.csv', `label,a_0,b_0,c_0\n${values(3)}\n`, /modalities a \(a_0\), b \(b_0\), c \(c_0\)/],
  ];
  for (const [n, name, text, says] of cases) {
    const r = cli(init(n, name, text));
    assert.equal(r.status, 0, `case ${n}: ${r.stderr}`);
    assert.match(r.stderr, says, `case ${n}`);
    const dry = cli(['train', `out-${n}.yaml`, '--dry-run']);
    assert.equal(dry.status, 0, `case ${n}: the config trains: ${dry.stderr}`);
    assert.match(fs.readFileSync(at(`out-${n}.yaml`), 'utf8'), n === 34 ? /paradigm: joint/ : /paradigm: dmil/, `case ${n}: dmil only for two modalities`);
  }
  const text = cli(init(100, 'speaker.csv', `label,speaker,a_0,a_1,b_0\n${Array.from({ length: 60 }, (_, i) => `${i % 2},s${i % 3},${i},${i + 1},${i % 5}`).join('\n')}\n`));
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stderr, /text columns set aside: speaker/);
  assert.match(fs.readFileSync(at('out-100.yaml'), 'utf8'), /# Text columns, not features: speaker\. .*\n# .*data\.group/);
});

test('cases 42-44: pid refuses too few samples for its estimators, before fitting anything', () => {
  const rows = Array.from({ length: 12 }, (_, i) => `${i % 2},${i},${i % 3},${i % 5}`).join('\n');
  const csv = write('tiny-pid.csv', `label,a_0,a_1,b_0\n${rows}\n`);
  const cfg = yaml('tiny-pid.yaml', tiny({ data: { source: 'csv', path: csv, modalities: [{ name: 'a', columns: 'a_*' }, { name: 'b', columns: 'b_*' }] } }));
  refused(42, ['pid', cfg, '--runs-dir', 'runs'], /tiny-pid\.csv: the validation split has \d samples/);
  refused(43, ['pid', cfg, '--set', 'pid.clusters=64', '--estimator', 'exact', '--runs-dir', 'runs'], /tiny-pid\.csv: the validation split has \d samples/);
  refused(44, ['pid', path.join(repoRoot, 'configs', 'xor.yaml'), '--set', 'data.samples=20', '--runs-dir', 'runs'], /the validation split has \d samples/);
  // With enough samples to train, pid still wants 10 per cluster and at least 30.
  refused(43, ['pid', RUN, '--set', 'pid.clusters=64', '--estimator', 'exact', '--runs-dir', 'runs'], /--split: the data has 240 samples; the exact estimator needs at least 640 \(10 per cluster, pid\.clusters 64\)/);
});

test('cases 75-78, 87, 93, 95, 97, 98: damaged or missing run files, odd run ids and folders, devices as data: one line each', () => {
  const bad = path.join(root, 'bad-runs');
  const copy = (name: string) => {
    fs.cpSync(path.join(runsDir, RUN), path.join(bad, name), { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(bad, name, 'meta.json'), 'utf8'));
    fs.writeFileSync(path.join(bad, name, 'meta.json'), JSON.stringify({ ...meta, id: name }));
    return name;
  };
  fs.rmSync(path.join(bad, copy('meta_missing'), 'meta.json'));
  refused(75, ['eval', 'meta_missing', '--runs-dir', bad], /bad-runs\/meta_missing: not a dmil run folder: it has no meta\.json \(it looks like a run whose meta\.json was deleted/);
  copy('data_missing');
  refused(76, ['report', 'meta_missing', '--runs-dir', bad], /meta_missing: not a dmil run folder: it has no meta\.json/);
  const noStages = copy('no_stages');
  const m = JSON.parse(fs.readFileSync(path.join(bad, noStages, 'meta.json'), 'utf8'));
  fs.writeFileSync(path.join(bad, noStages, 'meta.json'), JSON.stringify({ ...m, stages_done: [] }));
  refused(77, ['eval', noStages, '--runs-dir', bad], /no_stages\/meta\.json: damaged run file: done, but no stage finished/);
  refused(77, ['decompose', noStages, '--runs-dir', bad], /no_stages\/meta\.json: damaged run file: done, but no stage finished/);
  const emptyConfig = copy('empty_config');
  fs.writeFileSync(path.join(bad, emptyConfig, 'config.yaml'), '');
  refused(78, ['eval', emptyConfig, '--runs-dir', bad], /empty_config\/config\.yaml: damaged run file: not a config \(empty, or not a mapping\)/);
  refused(78, ['decompose', emptyConfig, '--runs-dir', bad], /empty_config\/config\.yaml: damaged run file: not a config/);
  refused(78, ['train', '--resume', emptyConfig, '--runs-dir', bad], /empty_config\/config\.yaml: damaged run file: not a config/);
  refused(87, ['eval', 'xyz', '--runs-dir', '/etc/passwd'], /\/etc\/passwd: runs folder is a file, not a folder/);
  refused(93, ['runs', 'rm', '.', '--runs-dir', runsDir], /\.: name the run by its id, not by a path/, (a) => runCli(a, { cwd: path.join(runsDir, RUN) }));
  refused(95, ['train', yaml('zero.yaml', { ...tiny(), data: { source: 'npy', labels: '/dev/zero', modalities: [{ name: 'a', path: fixture('m1_f4.npy') }] } }), '--runs-dir', 'runs'], /\/dev\/zero: file is a device, not a regular file/);
  refused(97, ['decompose', '', '--runs-dir', 'runs'], /runs: the run id is empty/);
  refused(97, ['eval', '', '--runs-dir', 'runs'], /runs: the run id is empty/);
  // The report's example was `dmil data check --help`; `data` is a command since, so another name.
  refused(98, ['dataset', 'check', '--help'], /^dmil: unknown command 'dataset'/);
});
