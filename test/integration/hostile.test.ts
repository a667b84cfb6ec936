// Hostile data and arguments a tester found. Each gives exit 2, one line that says where, and
// leaves no run folder. (Every bad value the schema can generate: integration/badValues.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { listRuns } from '../../src/runs/list';
import { dmilBin, fixture, lastLine, runCli, tinyConfig, tmpDir, writeConfig, writeIdx } from '../helpers';

const dir = tmpDir('hostile');
const runsDir = path.join(dir, 'runs');
fs.mkdirSync(runsDir);
const noRunFolder = () => assert.deepEqual(fs.readdirSync(runsDir), [], 'no run folder left behind');

function oneLine(r: { status: number | null; stderr: string }, expect: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: exit 2 (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^dmil: /, what);
  assert.match(lines[0], expect, what);
}

// A CSV with an id column: the base of the hostile CSV cases.
const csvText = (rows: string[]) => `id,label,a1,a2,b1\n${rows.join('\n')}\n`;
const goodRows = Array.from({ length: 80 }, (_, i) => `r${i},${i % 2},${i},${i + 1},${i * 2}`);
const csvFile = (name: string, rows: string[]) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, csvText(rows));
  return p;
};
const csvConfig = (name: string, data: Record<string, unknown>) =>
  writeConfig(dir, { ...tinyConfig(), name: 'hostile', data: { source: 'csv', id: 'id', modalities: [{ name: 'a', columns: 'a*' }, { name: 'b', columns: 'b*' }], ...data } }, `${name}.yaml`);
const folder = (name: string) => {
  const p = path.join(dir, name);
  fs.mkdirSync(p, { recursive: true });
  return p;
};

test('hostile data and arguments: exit 2, one line, no run folder', () => {
  const bigLabels = path.join(dir, 'big-labels-idx1-ubyte');
  const bigImages = path.join(dir, 'big-images-idx3-ubyte');
  const n = 130_000;
  writeIdx(bigLabels, [n], Uint8Array.from({ length: n }, () => 0));
  writeIdx(bigImages, [n, 1, 1], new Uint8Array(n));
  const cases: { name: string; args: string[]; expect: RegExp }[] = [
    { name: 'a folder as the CSV path', args: ['train', csvConfig('dircsv', { path: folder('a-folder.csv') })], expect: /a-folder\.csv: data file is a folder, not a file/ },
    { name: 'a folder as an NPY path', args: ['train', writeConfig(dir, { data: { source: 'npy', labels: folder('labels.npy'), modalities: [{ name: 'a', path: fixture('m1_f4.npy') }] } }, 'dirnpy.yaml')], expect: /labels\.npy: file is a folder, not a file/ },
    { name: 'a folder as an IDX path', args: ['train', writeConfig(dir, { data: { source: 'idx', images: folder('images-idx'), labels: fixture('tiny-labels-idx1-ubyte.gz') } }, 'diridx.yaml')], expect: /images-idx: file is a folder, not a file/ },
    { name: 'a folder as the split file', args: ['train', writeConfig(dir, { data: { source: 'npy', labels: fixture('labels_i8.npy'), split_file: folder('split-dir'), modalities: [{ name: 'a', path: fixture('m1_f4.npy') }] } }, 'dirsplit.yaml')], expect: /split-dir: split file is a folder, not a file/ },
    { name: 'a single class', args: ['train', csvConfig('oneclass', { path: csvFile('oneclass.csv', goodRows.map((r) => r.replace(/^(r\d+),\d/, '$1,0'))) })], expect: /oneclass\.csv: the data has a single class \("0"\); a classifier needs at least two/ },
    { name: 'duplicate ids in one file', args: ['train', csvConfig('dupid', { path: csvFile('dupid.csv', [...goodRows, 'r3,1,1,2,3']) })], expect: /dupid\.csv:82: duplicate id "r3" \(also on line 5\)/ },
    {
      name: 'duplicate ids in a modality file',
      args: ['train', csvConfig('dupid2', {
        path: csvFile('dupmain.csv', goodRows),
        modalities: [{ name: 'a', columns: 'a*' }, { name: 'b', path: (() => { const p = path.join(dir, 'dupb.csv'); fs.writeFileSync(p, `id,b1\n${goodRows.map((r, i) => `${i === 5 ? 'r4' : r.split(',')[0]},${i}`).join('\n')}\n`); return p; })(), columns: 'b*' }],
      })],
      expect: /dupb\.csv:7: duplicate id "r4" \(also on line 6\)/,
    },
    { name: 'a value beyond float32', args: ['train', csvConfig('f32', { path: csvFile('f32.csv', [...goodRows.slice(0, 10), 'r99,1,1e39,2,3', ...goodRows.slice(10)]) })], expect: /f32\.csv:12:3: 1e39 is outside the float32 range/ },
    { name: 'samples beyond memory', args: ['train', writeConfig(dir, { data: { source: 'synthetic', samples: 1e12 } }, 'huge.yaml')], expect: /data\.samples: the data would need about .+ GiB of memory; this machine has/ },
    { name: 'a dimension beyond memory', args: ['train', writeConfig(dir, { data: { source: 'synthetic', samples: 100, modalities: [{ name: 'a', dim: 1e9 }, { name: 'b', dim: 3 }] } }, 'wide.yaml')], expect: /data\.samples: the data would need about/ },
    { name: 'duplicate modality names', args: ['train', writeConfig(dir, { data: { source: 'synthetic', modalities: [{ name: 'a', dim: 3 }, { name: 'a', dim: 3 }] } }, 'dupmod.yaml')], expect: /dupmod\.yaml:\d+:\d+: data\.modalities\.1\.name: modality name "a" is used twice/ },
    { name: 'a 300-character name', args: ['train', writeConfig(dir, { name: 'n'.repeat(300) }, 'longname.yaml')], expect: /longname\.yaml:1:\d+: name: at most 64 characters/ },
    { name: '--runs-dir is a file', args: ['train', writeConfig(dir, tinyConfig(), 'ok.yaml'), '--runs-dir', fixture('labels_i8.npy')], expect: /labels_i8\.npy: runs folder cannot be created or written: a file of that name is in the way \(EEXIST\)/ },
    { name: 'dmil runs on a missing folder', args: ['runs', '--runs-dir', path.join(dir, 'no-such-runs')], expect: /no-such-runs: runs folder does not exist/ },
    { name: 'a runs folder name too long', args: ['train', writeConfig(dir, tinyConfig(), 'ok2.yaml'), '--runs-dir', path.join(dir, 'x'.repeat(300))], expect: /runs folder cannot be created or written: its name is too long \(ENAMETOOLONG\)/ },
    { name: 'no command', args: [], expect: /^dmil: no command given \(commands: train, eval, decompose, predict, runs, compare, pid, sweep, report, schema, init, data, export; see dmil --help\)/ },
    { name: 'a key of another data source in a modality', args: ['train', writeConfig(dir, { data: { source: 'synthetic', modalities: [{ name: 'a', dim: 3, path: 'x' }, { name: 'b', dim: 3 }] } }, 'otherkey.yaml')], expect: /data\.modalities\.0\.path: "path" is not a key here with data\.source synthetic/ },
    { name: 'a weight decay of 1e30', args: ['train', writeConfig(dir, { ...tinyConfig(), train: { optimizer: { weight_decay: 1e30 } } }, 'wd.yaml')], expect: /train\.optimizer\.weight_decay: a weight decay above 1 pulls every weight to zero/ },
    { name: 'an IDX set with 130,000 images of one class', args: ['train', writeConfig(dir, { data: { source: 'idx', images: bigImages, labels: bigLabels } }, 'bigidx.yaml')], expect: /big-labels-idx1-ubyte: the data has a single class \("0"\)/ },
  ];
  for (const c of cases) {
    const args = c.args.includes('--runs-dir') || c.args[0] !== 'train' ? c.args : [...c.args, '--runs-dir', runsDir];
    oneLine(runCli(args), c.expect, c.name);
    noRunFolder();
  }
});

test('hostile arguments to commands that read a run: eval on a folder as data, decompose into a folder', () => {
  const own = path.join(dir, 'own-runs');
  const cfg = writeConfig(dir, { ...tinyConfig(), name: 'hostile', data: { source: 'csv', path: csvFile('ok.csv', goodRows), id: 'id', modalities: [{ name: 'a', columns: 'a*' }, { name: 'b', columns: 'b*' }] } }, 'csvok.yaml');
  const trained = runCli(['train', cfg, '--runs-dir', own, '-q']);
  assert.equal(trained.status, 0, trained.stderr);
  const id = lastLine(trained.stdout);
  const before = fs.readdirSync(path.join(own, id)).sort();
  oneLine(runCli(['eval', id, '--runs-dir', own, '--set', `data.path=${folder('eval-dir')}`]), /eval-dir: data file is a folder, not a file/, 'eval on a folder');
  oneLine(runCli(['decompose', id, '--runs-dir', own, '--out', folder('out-dir')]), /out-dir: --out is a folder; it needs a file name/, 'decompose into a folder');
  assert.deepEqual(fs.readdirSync(path.join(own, id)).sort().filter((f) => f !== 'decompose'), before.filter((f) => f !== 'decompose'), 'nothing half-written in the run');
});

test('divergence: lr 10 stops the run as failed with one line', () => {
  const own = path.join(dir, 'diverge-runs');
  const r = runCli(['train', path.join('configs', 'mix.yaml'), '--set', 'train.optimizer.lr=10', '--set', 'data.samples=600', '--runs-dir', own, '-q']);
  oneLine(r, /stage decompose-intra: the training loss grew to .+ in epoch 1, .+ times its starting value .+: training diverged \(lower the learning rate/, 'lr 10');
  const [id] = fs.readdirSync(own);
  assert.equal(JSON.parse(fs.readFileSync(path.join(own, id, 'meta.json'), 'utf8')).status, 'failed');
});

test('a reader that goes away (dmil train ... | head -c 1) does not stop the run: it ends done', () => {
  const own = path.join(dir, 'pipe-runs');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 6, batch_size: 8, early_stop: { patience: 0 } } }), 'pipe.yaml');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${dmilBin}" train "${cfg}" --runs-dir "${own}" 2>&1 | head -c 1`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const deadline = Date.now() + 60_000;
  let runs = listRuns(own);
  while ((runs.length === 0 || runs[0].status === 'running') && Date.now() < deadline) {
    spawnSync('sleep', ['0.2']);
    runs = fs.existsSync(own) ? listRuns(own) : [];
  }
  assert.equal(runs.length, 1);
  assert.equal(runs[0].status, 'done');
});
