// The npy source with files per split (AV-MNIST's layout): a run trains, evaluates and decomposes
// from the config alone; validation from training by rule (the last N, or a seeded stratified
// fraction) is recorded in split.csv; the same samples from one file set with a split file give
// the identical run; and misuse is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runResult } from './faults/harness';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

const SIZES = { train: 300, test: 90 };

/** AV-MNIST-like files: image/{split}_data.npy (N, 12), audio/{split}_data.npy (N, 4, 3), {split}_labels.npy; labels depend on both. */
function avmnist(dir: string): { image: Float32Array; audio: Float32Array; labels: Int32Array } {
  fs.mkdirSync(path.join(dir, 'image'));
  fs.mkdirSync(path.join(dir, 'audio'));
  const all = { image: [] as number[], audio: [] as number[], labels: [] as number[] };
  let k = 0;
  for (const [split, n] of Object.entries(SIZES)) {
    const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + k) % 3);
    const image = Float32Array.from({ length: n * 12 }, (_, i) => (y[Math.floor(i / 12)] === i % 3 ? 200 : 20) + ((i * 37 + k) % 50));
    const audio = Float32Array.from({ length: n * 12 }, (_, i) => Math.sin(i + k) + (y[Math.floor(i / 12)] === 1 ? 1 : 0));
    writeNpy(path.join(dir, 'image', `${split}_data.npy`), image, [n, 12]);
    writeNpy(path.join(dir, 'audio', `${split}_data.npy`), audio, [n, 4, 3]);
    writeNpy(path.join(dir, `${split}_labels.npy`), y, [n]);
    all.image.push(...image);
    all.audio.push(...audio);
    all.labels.push(...y);
    k += 1;
  }
  return { image: Float32Array.from(all.image), audio: Float32Array.from(all.audio), labels: Int32Array.from(all.labels) };
}

const files = (split: string) => ({ labels: `${split}_labels.npy`, modalities: { image: `image/${split}_data.npy`, audio: `audio/${split}_data.npy` } });
const perSplit = (extra: Record<string, unknown> = {}) => ({
  name: 'avmnist', seed: 1,
  data: { source: 'npy', modalities: [{ name: 'image' }, { name: 'audio' }], splits: { train: files('train'), test: files('test') }, val_from_train: { last: 60 }, ...extra },
  model: { paradigm: 'joint', backbone: { hidden: [16], out: 8 }, backbones: { audio: { type: 'temporal', channels: [8], kernel: 2, out: 8 } } },
  train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } },
});

test('AV-MNIST\'s layout trains from the config alone: the last 60 training samples validate, split.csv says so, eval and decompose work', () => {
  const dir = tmpDir('npysplits');
  avmnist(dir);
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', writeConfig(dir, perSplit()), '--runs-dir', runs, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const id = lastLine(r.stdout);
  const rows = parse(fs.readFileSync(path.join(runs, id, 'split.csv'), 'utf8'), { columns: true }) as { id: string; split: string }[];
  assert.equal(rows.length, 390);
  assert.deepEqual(['train', 'val', 'test'].map((s) => rows.filter((x) => x.split === s).length), [240, 60, 90]);
  assert.deepEqual(rows.filter((x) => x.split === 'val').map((x) => x.id), Array.from({ length: 60 }, (_, i) => `train/${240 + i}`));
  assert.equal(rows[300].id, 'test/0');
  const info = JSON.parse(fs.readFileSync(path.join(runs, id, 'data.json'), 'utf8'));
  assert.deepEqual(info.modalities, [{ name: 'image', shape: [12] }, { name: 'audio', shape: [4, 3] }]);
  assert.ok(info.fingerprint.files.some((f: { path: string }) => f.path.endsWith(path.join('audio', 'test_data.npy'))), 'every split file is fingerprinted');
  const ev = runCli(['eval', id, '--runs-dir', runs, '--json']);
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(JSON.parse(ev.stdout).samples, 90);
  const dec = runCli(['decompose', id, '--runs-dir', runs, '--out', '-']);
  assert.equal(dec.status, 0, dec.stderr);
  assert.equal(dec.stdout.trim().split('\n').length, 91);
});

test('the same samples as one file set with a split file give the identical run', () => {
  const dir = tmpDir('npysplits-same');
  const { image, audio, labels } = avmnist(dir);
  writeNpy(path.join(dir, 'image_all.npy'), image, [390, 12]);
  writeNpy(path.join(dir, 'audio_all.npy'), audio, [390, 4, 3]);
  writeNpy(path.join(dir, 'labels_all.npy'), labels, [390]);
  const ids = [...Array.from({ length: 300 }, (_, i) => `train/${i}`), ...Array.from({ length: 90 }, (_, i) => `test/${i}`)];
  const splitOf = (i: number) => (i < 240 ? 'train' : i < 300 ? 'val' : 'test');
  fs.writeFileSync(path.join(dir, 'split.csv'), `id,split\n${ids.map((id, i) => `${id},${splitOf(i)}`).join('\n')}\n`);
  const single = { ...perSplit(), data: { source: 'npy', labels: 'labels_all.npy', split_file: 'split.csv', modalities: [{ name: 'image', path: 'image_all.npy' }, { name: 'audio', path: 'audio_all.npy' }] } };
  const results = [['per-split.yaml', perSplit()], ['single.yaml', single]].map(([file, config]) => {
    const runs = path.join(dir, `runs-${file}`);
    const r = runCli(['train', writeConfig(dir, config, file as string), '--runs-dir', runs, '-q']);
    assert.equal(r.status, 0, r.stderr);
    return runResult(path.join(runs, lastLine(r.stdout)));
  });
  assert.deepEqual(results[0].metrics, results[1].metrics);
  assert.deepEqual(results[0].test, results[1].test);
});

test('a seeded, class-stratified validation fraction: the same for the same seed, another for another seed', () => {
  const dir = tmpDir('npysplits-fraction');
  avmnist(dir);
  const valIds = (seed: number) => {
    const r = runCli(['train', writeConfig(dir, { ...perSplit({ val_from_train: { fraction: 0.2 } }), seed }, `s${seed}.yaml`), '--runs-dir', path.join(dir, `runs${seed}`), '-q', '--set', 'train.epochs=1']);
    assert.equal(r.status, 0, r.stderr);
    const rows = parse(fs.readFileSync(path.join(dir, `runs${seed}`, lastLine(r.stdout), 'split.csv'), 'utf8'), { columns: true }) as { id: string; split: string }[];
    return rows.filter((x) => x.split === 'val').map((x) => x.id);
  };
  const [a, b, c] = [valIds(1), valIds(1), valIds(2)];
  assert.equal(a.length, 60);
  assert.ok(a.every((id) => id.startsWith('train/')), 'validation comes from the training files');
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('misuse of data.splits is one line with exit 2: both layouts, a missing modality file, no validation, shapes that disagree', () => {
  const dir = tmpDir('npysplits-bad');
  avmnist(dir);
  writeNpy(path.join(dir, 'audio', 'wide.npy'), new Float32Array(90 * 15), [90, 5, 3]);
  const cases: [Record<string, unknown>, RegExp][] = [
    [perSplit({ labels: 'train_labels.npy' }), /data\.labels: with data\.splits the labels are named per split/],
    [perSplit({ splits: { train: files('train'), test: { labels: 'test_labels.npy', modalities: { image: 'image/test_data.npy' } } } }), /data\.splits\.test\.modalities: no file for modality audio/],
    [perSplit({ val_from_train: undefined }), /no validation split: add data\.splits\.val, or data\.val_from_train/],
    [perSplit({ splits: { train: files('train'), test: { labels: 'test_labels.npy', modalities: { image: 'image/test_data.npy', audio: 'audio/wide.npy' } } } }), /modality audio has samples of shape \[5, 3\] in the test split and \[4, 3\] in the train split/],
    [perSplit({ val_from_train: { last: 300 } }), /data\.val_from_train\.last is 300, the training split holds 300 samples/],
    [perSplit({ val_from_train: { last: 5, fraction: 0.1 } }), /data\.val_from_train: give one of last \(the last N training samples\) or fraction/],
  ];
  for (const [config, expect] of cases) {
    const r = runCli(['train', writeConfig(dir, config), '--runs-dir', path.join(dir, 'runs')]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, expect);
  }
  assert.ok(!fs.existsSync(path.join(dir, 'runs')) || fs.readdirSync(path.join(dir, 'runs')).length === 0);
});
