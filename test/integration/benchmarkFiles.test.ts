// The field's benchmark files as the suites ship them, written by scripts/fixtures/benchmarks.py
// with Debian's numpy and h5py (`.ci/run` installs python3-numpy and python3-h5py): every
// protocol card in configs/benchmarks/ passes --dry-run unchanged; the same samples through
// pickle, HDF5 (row ranges or a split dataset) and per-split .npy files give bit-identical runs;
// joint and dmil train on the MOSI and MM-IMDb layouts from the card alone, and eval and
// decompose work; a hostile pickle whose payload Python would run is refused and runs nothing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findPython, writeFixtures } from '../../scripts/fixtures/python';
import { runResult } from '../faults/harness';
import { lastLine, repoRoot, runCli, tmpDir, writeConfig } from '../helpers';

const CARDS = ['mosi', 'mosei', 'mustard', 'urfunny', 'mmimdb', 'avmnist'];

let root = '';
before(() => {
  root = tmpDir('benchmark-files');
  writeFixtures(root);
  fs.cpSync(path.join(repoRoot, 'configs', 'benchmarks'), path.join(root, 'configs', 'benchmarks'), { recursive: true });
});

test('every protocol card passes --dry-run on a fixture in its layout, unchanged', () => {
  for (const card of CARDS) {
    const r = runCli(['train', path.join('configs', 'benchmarks', `${card}.yaml`), '--dry-run'], { cwd: root });
    assert.equal(r.status, 0, `${card}: ${r.stderr}`);
    assert.match(r.stderr + r.stdout, /nothing was written \(dry run\)/);
  }
  // MultiBench's validation rule for AV-MNIST: the last 5,000 of 5,030 training samples.
  const av = runCli(['train', path.join('configs', 'benchmarks', 'avmnist.yaml'), '--dry-run'], { cwd: root });
  assert.match(av.stderr + av.stdout, /5050 samples \(30 train \/ 5000 val \/ 20 test\), 10 classes/);
  // The MOSI file's -inf are handled by the card: data check is clean.
  const check = runCli(['data', 'check', path.join('configs', 'benchmarks', 'mosi.yaml'), '--json'], { cwd: root });
  assert.equal(check.status, 0, check.stderr);
  assert.deepEqual(JSON.parse(check.stdout).problems, []);
});

const model = (paradigm: string) => ({ paradigm, backbone: { hidden: [16], out: 8 } });
const train = { epochs: 2, batch_size: 32, early_stop: { patience: 0 } };

function sameData(format: string): Record<string, unknown> {
  const same = path.join(root, 'same');
  const modalities = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
  const npy = (split: string) => ({ labels: path.join(same, 'npy', `${split}_labels.npy`), modalities: Object.fromEntries(['a', 'b', 'c'].map((m) => [m, path.join(same, 'npy', `${split}_${m}.npy`)])) });
  switch (format) {
    case 'pickle': return { source: 'pickle', path: path.join(same, 'data.pkl'), modalities };
    case 'hdf5': return { source: 'hdf5', path: path.join(same, 'data.h5'), labels: 'labels', modalities, splits: { train: [0, 120], val: [120, 160], test: [160, 200] } };
    case 'hdf5-split-dataset': return { source: 'hdf5', path: path.join(same, 'data.h5'), labels: 'labels', ids: 'ids', modalities, split_dataset: 'split' };
    default: return { source: 'npy', modalities, splits: { train: npy('train'), val: npy('val'), test: npy('test') } };
  }
}

/** Every checkpoint's bytes, by path inside the run. */
function checkpoints(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(path.join(dir, 'checkpoints'));
  return out;
}

test('the same samples through pickle, HDF5 and per-split .npy files give bit-identical runs (joint and dmil)', () => {
  const dir = tmpDir('same-samples');
  const runs = path.join(dir, 'runs');
  for (const paradigm of ['joint', 'dmil']) {
    const results = ['npy', 'pickle', 'hdf5', 'hdf5-split-dataset'].map((format) => {
      const r = runCli(['train', writeConfig(dir, { name: `${format}-${paradigm}`, seed: 3, data: sameData(format), model: model(paradigm), train }, `${format}-${paradigm}.yaml`), '--runs-dir', runs, '-q']);
      assert.equal(r.status, 0, `${format}: ${r.stderr}`);
      const run = path.join(runs, lastLine(r.stdout));
      const info = JSON.parse(fs.readFileSync(path.join(run, 'data.json'), 'utf8'));
      return { format, result: runResult(run), weights: checkpoints(run), content: info.fingerprint.content, split: fs.readFileSync(path.join(run, 'split.csv'), 'utf8') };
    });
    const [npy, ...others] = results;
    assert.ok(Object.keys(npy.weights).length >= 2, 'the run saved checkpoints');
    for (const o of others) {
      assert.deepEqual(o.result, npy.result, `${paradigm}: ${o.format} and npy differ in metrics or evaluations`);
      assert.deepEqual(o.weights, npy.weights, `${paradigm}: ${o.format} and npy differ in weights`);
      assert.equal(o.content, npy.content, `${paradigm}: ${o.format} loads other samples`);
      assert.equal(o.split, npy.split);
    }
  }
});

test('joint and dmil train from the MOSI (pickle) and MM-IMDb (HDF5) cards alone; eval and decompose work', () => {
  const runs = path.join(root, 'runs');
  const small = ['--set', 'data.splits.train=[0, 1200]', '--set', 'data.splits.val=[15552, 15852]', '--set', 'data.splits.test=[18160, 18460]'];
  for (const [card, extra] of [['mosi', []], ['mmimdb', small]] as const) {
    for (const paradigm of ['joint', 'dmil']) {
      const r = runCli(['train', path.join('configs', 'benchmarks', `${card}.yaml`), '--runs-dir', runs, '-q', '--set', `model.paradigm=${paradigm}`, '--set', 'train.epochs=2', '--set', 'train.batch_size=64', ...extra], { cwd: root });
      assert.equal(r.status, 0, `${card} ${paradigm}: ${r.stderr}`);
      const id = lastLine(r.stdout);
      const ev = runCli(['eval', id, '--runs-dir', runs, '--json'], { cwd: root });
      assert.equal(ev.status, 0, ev.stderr);
      const report = JSON.parse(ev.stdout);
      assert.ok(report.accuracy >= 0 && report.accuracy <= 1);
      if (card === 'mosi') {
        // Two neutral samples per split in the fixture: the binary protocol keeps them (class 0); the ids are the file's.
        const split = fs.readFileSync(path.join(runs, id, 'split.csv'), 'utf8');
        assert.match(split, /^id,split\ntrain_0,train\n/);
      } else {
        assert.match(JSON.stringify(report), /label row not exactly one-hot/);
      }
      const dec = runCli(['decompose', id, '--runs-dir', runs], { cwd: root });
      assert.equal(dec.status, 0, dec.stderr);
      assert.ok(fs.existsSync(path.join(runs, id, 'decompose', 'test.csv')));
    }
  }
});

test('a hostile pickle is refused without running anything; Python itself would run its payload', () => {
  const dir = path.join(root, 'hostile');
  const marker = path.join(dir, 'PWNED');
  const runs = path.join(root, 'hostile-runs');
  for (const [file, name] of [['os_system.pkl', 'posix\\.system'], ['eval.pkl', 'builtins\\.eval']]) {
    const cfg = writeConfig(dir, { name: 'hostile', data: { source: 'pickle', path: file, splits: { val: null }, val_from_train: { last: 1 }, modalities: [{ name: 'vision' }] } }, `${file}.yaml`);
    for (const args of [['train', cfg, '--runs-dir', runs], ['data', 'check', cfg]]) {
      const r = runCli(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, new RegExp(`${file.replace('.', '\\.')}: the pickle names the Python callable ${name}, which dmil does not run`));
      assert.equal(fs.existsSync(marker), false, `${args[0]} ran the payload`);
    }
  }
  assert.equal(fs.existsSync(runs) ? fs.readdirSync(runs).filter((f) => !f.startsWith('.')).length : 0, 0);
  // The payload is live: Python's pickle.load runs it.
  spawnSync(findPython(), ['-c', `import pickle; pickle.load(open(${JSON.stringify(path.join(dir, 'eval.pkl'))}, 'rb'))`]);
  assert.equal(fs.existsSync(marker), true, 'the payload should create the file when Python loads it');
});
