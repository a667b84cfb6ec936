// The hdf5 source (files written here with h5wasm; the integration tier reads files h5py wrote):
// datasets by path, one-hot labels (a row that is not one-hot named, or dropped and counted), row
// ranges, a split dataset of names, a stratified split; and misuse one line: a missing dataset
// (listing those there), ranges that overlap or pass the end, a damaged file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hdf5Data } from '../src/config/fileSources';
import { loadHdf5 } from '../src/data/hdf5Source';
import { UserError } from '../src/errors';
import { tmpDir } from './helpers';

const N = 60;
const CLASSES = 3;
const genre = Int32Array.from({ length: N }, (_, i) => (i * 7) % CLASSES);

async function writeFile(file: string, opts: { multiHotRow?: number } = {}): Promise<void> {
  const { default: h5 } = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w');
  const onehot = new Int8Array(N * CLASSES);
  genre.forEach((g, i) => (onehot[i * CLASSES + g] = 1));
  if (opts.multiHotRow !== undefined) onehot[opts.multiHotRow * CLASSES + ((genre[opts.multiHotRow] + 1) % CLASSES)] = 1;
  f.create_dataset({ name: 'genres', data: onehot, shape: [N, CLASSES] });
  f.create_dataset({ name: 'features', data: Float32Array.from({ length: N * 4 }, (_, i) => i), shape: [N, 4] });
  f.create_group('image');
  (f.get('image') as InstanceType<typeof h5.Group>).create_dataset({ name: 'vgg', data: Float64Array.from({ length: N * 6 }, (_, i) => -i), shape: [N, 2, 3] });
  f.create_dataset({ name: 'imdb_ids', data: Array.from({ length: N }, (_, i) => `tt${i}`) });
  f.create_dataset({ name: 'split', data: Array.from({ length: N }, (_, i) => (i < 40 ? 'train' : i < 50 ? 'valid' : 'test')) });
  f.create_dataset({ name: 'class', data: Int32Array.from(genre) });
  f.close();
}

const config = (file: string, extra: Record<string, unknown> = {}) => hdf5Data.parse({
  source: 'hdf5', path: file, labels: 'genres', ids: 'imdb_ids',
  modalities: [{ name: 'text', dataset: 'features' }, { name: 'image', dataset: 'image/vgg' }],
  splits: { train: [0, 40], val: [40, 50], test: [50, 60] }, ...extra,
});

test('MM-IMDb\'s layout: datasets by path, one-hot labels, ids, row ranges; the same split as a dataset of names gives the same samples', async () => {
  const dir = tmpDir('hdf5');
  const file = path.join(dir, 'imdb.h5');
  await writeFile(file);
  const d = await loadHdf5(config(file), 1);
  assert.deepEqual(d.classNames, ['0', '1', '2']);
  assert.deepEqual(Array.from(d.labels), Array.from(genre));
  assert.deepEqual(d.ids.slice(0, 2), ['tt0', 'tt1']);
  assert.deepEqual(d.modalities.map((m) => m.shape), [[4], [2, 3]]);
  assert.deepEqual(Array.from(d.modalities[1].values.slice(6, 9)), [-6, -7, -8]);
  assert.deepEqual([0, 1, 2].map((s) => d.split.filter((x) => x === s).length), [40, 10, 10]);
  const bySet = await loadHdf5(config(file, { splits: undefined, split_dataset: 'split' }), 1);
  assert.deepEqual(Array.from(bySet.split), Array.from(d.split));
  assert.deepEqual(Array.from(bySet.modalities[0].values), Array.from(d.modalities[0].values));
  // Integer labels, and a stratified split when the file gives none.
  const strat = await loadHdf5(config(file, { labels: 'class', splits: undefined, split: { val: 0.2, test: 0.2 } }), 1);
  assert.deepEqual(Array.from(strat.labels), Array.from(genre));
  assert.deepEqual([0, 1, 2].map((s) => strat.split.filter((x) => x === s).length), [36, 12, 12]);
});

test('a label row that is not one-hot is named, or with onehot_other: drop left out and counted', async () => {
  const dir = tmpDir('hdf5-onehot');
  const file = path.join(dir, 'imdb.h5');
  await writeFile(file, { multiHotRow: 17 });
  await assert.rejects(loadHdf5(config(file), 1), (e: unknown) => e instanceof UserError && /imdb\.h5:genres\[17\]: label row 17 is not one-hot \(2 of 3 entries are 1\) .*onehot_other: drop/.test(e.oneLine()));
  const d = await loadHdf5(config(file, { onehot_other: 'drop' }), 1);
  assert.equal(d.labels.length, N - 1);
  assert.equal(d.ids.includes('tt17'), false);
  assert.deepEqual(d.dropped, { count: 1, why: 'label row not exactly one-hot (data.onehot_other: drop)' });
});

test('misuse is one line: a missing dataset lists those there, ranges overlap or pass the end, strings as features, a damaged or foreign file', async () => {
  const dir = tmpDir('hdf5-bad');
  const file = path.join(dir, 'imdb.h5');
  await writeFile(file);
  const fails = async (cfg: ReturnType<typeof config>, pattern: RegExp) =>
    assert.rejects(loadHdf5(cfg, 1), (e: unknown) => e instanceof UserError && pattern.test(e.oneLine()) && !e.oneLine().includes('\n'));
  await fails(config(file, { modalities: [{ name: 'text', dataset: 'text_features' }] }), /imdb\.h5: no dataset "text_features" \(modality text\) \(datasets there: class, features, genres, image\/vgg, imdb_ids, split\)/);
  await fails(config(file, { splits: { train: [0, 40], val: [30, 50], test: [50, 60] } }), /data\.splits\.val: data\.splits\.val \[30, 50\] overlaps data\.splits\.train \[0, 40\]/);
  await fails(config(file, { splits: { train: [0, 40], val: [40, 50], test: [50, 70] } }), /data\.splits\.test ends at row 70, the file has 60 rows/);
  await fails(config(file, { modalities: [{ name: 'text', dataset: 'imdb_ids' }] }), /dataset "imdb_ids" \(modality text\) has shape \(60\) of strings; expected \(60, \.\.\.\) numbers/);
  const whole = fs.readFileSync(file);
  fs.writeFileSync(path.join(dir, 'cut.h5'), whole.subarray(0, Math.floor(whole.length / 3)));
  await fails(config(path.join(dir, 'cut.h5')), /cut\.h5: cannot open the HDF5 file \(truncated file: eof = \d+.*download it again/);
  fs.writeFileSync(path.join(dir, 'text.h5'), 'id,label\n');
  await fails(config(path.join(dir, 'text.h5')), /text\.h5: not an HDF5 file \(no HDF5 signature\)/);
  await fails(config(path.join(dir, 'absent.h5')), /absent\.h5: HDF5 file not found/);
});
