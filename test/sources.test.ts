// Data sources: the .npy and IDX readers against real files, and each source end to end into a Dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFromObject, readConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { globToRegExp, loadCsv } from '../src/data/csvSource';
import { readIdx } from '../src/data/idx';
import { loadIdx } from '../src/data/idxSource';
import { readNpy } from '../src/data/npy';
import { loadNpy } from '../src/data/npySource';
import { fixture, tmpDir, writeConfig } from './helpers';

const data = (raw: Record<string, unknown>): Config['data'] => configFromObject({ data: raw }).config.data;

test('.npy files written by NumPy: float32, float64, int16 (3-D), int64 and unicode labels', () => {
  const f4 = readNpy(fixture('m1_f4.npy'));
  assert.deepEqual(f4.shape, [6, 3]);
  assert.deepEqual(Array.from(f4.values as Float32Array).slice(0, 4), [0, 0.25, 0.5, 0.75]);
  const f8 = readNpy(fixture('m2_f8.npy'));
  assert.deepEqual(f8.shape, [6, 2]);
  assert.ok(Math.abs((f8.values as Float32Array)[0] - -0.0055) < 1e-9);
  const i2 = readNpy(fixture('m3_i2.npy'));
  assert.deepEqual(i2.shape, [6, 2, 2]);
  assert.deepEqual(Array.from(i2.values as Float32Array).slice(0, 3), [-12, -11, -10]);
  assert.deepEqual(readNpy(fixture('labels_i8.npy')).values instanceof Float32Array ? Array.from(readNpy(fixture('labels_i8.npy')).values as Float32Array) : [], [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(readNpy(fixture('labels_str.npy')).values, ['cat', 'dog', 'émeu', 'cat', 'dog', 'émeu']);
});

test('npy source: shapes from the files, string labels as sorted classes, split from a .npy', () => {
  const cfg = data({ source: 'npy', labels: fixture('labels_str.npy'), split_file: fixture('split_u1.npy'), modalities: [{ name: 'a', path: fixture('m1_f4.npy') }, { name: 'c', path: fixture('m3_i2.npy') }] });
  if (cfg.source !== 'npy') throw new Error('npy');
  const d = loadNpy(cfg, 0);
  assert.deepEqual(d.classNames, ['cat', 'dog', 'émeu']);
  assert.deepEqual(Array.from(d.labels), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(Array.from(d.split), [0, 0, 0, 1, 2, 0]);
  assert.deepEqual(d.modalities.map((m) => m.shape), [[3], [2, 2]]);
});

test('idx reader: plain and gzipped files; top-bottom and left-right halves', () => {
  const img = readIdx(fixture('tiny-images-idx3-ubyte'));
  assert.deepEqual(img.shape, [6, 4, 4]);
  assert.deepEqual(Array.from(readIdx(fixture('tiny-labels-idx1-ubyte.gz')).data), [0, 1, 2, 0, 1, 2]);
  for (const halves of ['top-bottom', 'left-right'] as const) {
    const cfg = data({ source: 'idx', images: fixture('tiny-images-idx3-ubyte'), labels: fixture('tiny-labels-idx1-ubyte.gz'), views: { halves }, split: { val: 0.2, test: 0.2 } });
    if (cfg.source !== 'idx') throw new Error('idx');
    const d = loadIdx(cfg, 0);
    const [first, second] = d.modalities;
    // image 1, pixel value 10 + position, scaled to [0, 1]
    const px = (v: number) => (10 + v) / 255;
    if (halves === 'top-bottom') {
      assert.deepEqual([first.name, second.name, first.shape], ['top', 'bottom', [2, 4, 1]]);
      assert.deepEqual(Array.from(first.values.subarray(8, 16)).map((v) => Math.round(v * 1e6)), [0, 1, 2, 3, 4, 5, 6, 7].map((p) => Math.round(px(p) * 1e6)));
      assert.deepEqual(Array.from(second.values.subarray(8, 16)).map((v) => Math.round(v * 1e6)), [8, 9, 10, 11, 12, 13, 14, 15].map((p) => Math.round(px(p) * 1e6)));
    } else {
      assert.deepEqual([first.name, second.name, first.shape], ['left', 'right', [4, 2, 1]]);
      assert.deepEqual(Array.from(first.values.subarray(8, 16)).map((v) => Math.round(v * 1e6)), [0, 1, 4, 5, 8, 9, 12, 13].map((p) => Math.round(px(p) * 1e6)));
    }
  }
});

function writeCsv(dir: string, name: string, rows: (string | number)[][]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, rows.map((r) => r.join(',')).join('\n') + '\n');
  return f;
}

test('csv source, one file: globs, string labels, split column, relative paths from the config file', async () => {
  const dir = tmpDir('csv1');
  writeCsv(dir, 'data.csv', [
    ['id', 'label', 'split', 'm1_a', 'm1_b', 'm2_x', 'other'],
    ['s1', 'bird', 'train', 1, 2, 3, 9],
    ['s2', 'cat', 'val', 4, 5, 6, 9],
    ['s3', 'bird', 'test', 7, 8, 9.5, 9],
    ['s4', 'cat', 'train', -1, -2, -3, 9],
  ]);
  const file = writeConfig(dir, { data: { source: 'csv', path: 'data.csv', id: 'id', label: 'label', split_column: 'split', modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: ['m2_x'] }] } });
  const { config } = readConfigFile(file);
  if (config.data.source !== 'csv') throw new Error('csv');
  assert.equal(config.data.path, path.join(dir, 'data.csv'));
  const d = await loadCsv(config.data, 0);
  assert.deepEqual(d.classNames, ['bird', 'cat']);
  assert.deepEqual(Array.from(d.labels), [0, 1, 0, 1]);
  assert.deepEqual(Array.from(d.split), [0, 1, 2, 0]);
  assert.deepEqual(d.ids, ['s1', 's2', 's3', 's4']);
  assert.deepEqual(Array.from(d.modalities[0].values), [1, 2, 4, 5, 7, 8, -1, -2]);
  assert.deepEqual(Array.from(d.modalities[1].values), [3, 6, 9.5, -3]);
  assert.ok(globToRegExp('m1_*').test('m1_a') && !globToRegExp('m1_*').test('xm1_a') && globToRegExp('x?').test('x1'));
});

test('csv source, one file per modality joined on the id column (rows in any order)', async () => {
  const dir = tmpDir('csv2');
  const labels = writeCsv(dir, 'labels.csv', [['id', 'label'], ['a', 1], ['b', 2], ['c', 1], ['d', 2], ['e', 1], ['f', 2]]);
  const m1 = writeCsv(dir, 'm1.csv', [['id', 'f1', 'f2'], ['c', 30, 31], ['a', 10, 11], ['b', 20, 21], ['f', 60, 61], ['e', 50, 51], ['d', 40, 41]]);
  const m2 = writeCsv(dir, 'm2.csv', [['id', 'g'], ['f', 6], ['e', 5], ['d', 4], ['c', 3], ['b', 2], ['a', 1]]);
  const cfg = data({ source: 'csv', path: labels, id: 'id', modalities: [{ name: 'one', path: m1 }, { name: 'two', path: m2, columns: 'g' }], split: { val: 0.2, test: 0.2 } });
  if (cfg.source !== 'csv') throw new Error('csv');
  const d = await loadCsv(cfg, 0);
  assert.deepEqual(Array.from(d.modalities[0].values), [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61]);
  assert.deepEqual(Array.from(d.modalities[1].values), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(d.classNames, ['1', '2']);
});
