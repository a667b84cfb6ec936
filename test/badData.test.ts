// Bad data: one line naming the file and row/column (or index), exit code 2, no run folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, runCli, tmpDir, writeConfig } from './helpers';

const dir = tmpDir('baddata');
const runsDir = path.join(dir, 'runs');
fs.mkdirSync(runsDir);
const csv = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
};
const header = 'id,label,split,m1_a,m1_b,m2_a\n';
const good = (n = 12) => Array.from({ length: n }, (_, i) => `r${i},${i % 2},${['train', 'train', 'val', 'test'][i % 4]},${i},${i + 1},${i * 2}`).join('\n') + '\n';
const csvConfig = (file: string, extra: Record<string, unknown> = {}) => writeConfig(dir, {
  data: { source: 'csv', path: file, id: 'id', split_column: 'split', modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: 'm2_*' }], ...extra },
  train: { epochs: 1 },
}, `${file}.yaml`);
const npyConfig = (name: string, data: Record<string, unknown>) => writeConfig(dir, { data: { source: 'npy', ...data }, train: { epochs: 1 } }, `${name}.yaml`);
const idxConfig = (name: string, images: string) => writeConfig(dir, { data: { source: 'idx', images, labels: fixture('tiny-labels-idx1-ubyte.gz') }, train: { epochs: 1 } }, `${name}.yaml`);
const m = (f: string) => ({ name: 'a', path: fixture(f) });

const cases: { name: string; config: string; expect: RegExp }[] = [
  { name: 'ragged row', config: csvConfig(csv('ragged.csv', header + good(3) + 'r9,1,train,1,2\n')), expect: /ragged\.csv:5: row has 5 fields, the header has 6/ },
  { name: 'non-numeric cell', config: csvConfig(csv('text.csv', header + good(2) + 'r9,1,train,1,abc,3\n')), expect: /text\.csv:4:5: "abc" is not a number in column "m1_b"/ },
  { name: 'NaN cell', config: csvConfig(csv('nan.csv', header + 'r0,1,train,NaN,1,2\n' + good(3))), expect: /nan\.csv:2:4: NaN is not a finite number in column "m1_a"/ },
  { name: 'infinite cell', config: csvConfig(csv('inf.csv', header + good(2) + 'r9,1,train,1,2,-inf\n')), expect: /inf\.csv:4:6: -inf is not a finite number in column "m2_a"/ },
  { name: 'empty cell', config: csvConfig(csv('blank.csv', header + good(2) + 'r9,1,train,,2,3\n')), expect: /blank\.csv:4:4: empty cell in column "m1_a"/ },
  { name: 'empty file', config: csvConfig(csv('empty.csv', '')), expect: /empty\.csv: the file is empty/ },
  { name: 'header only', config: csvConfig(csv('header.csv', header)), expect: /header\.csv: the file has a header but no data rows/ },
  { name: 'missing label', config: csvConfig(csv('nolabel.csv', header + good(2) + 'r9,,train,1,2,3\n')), expect: /nolabel\.csv:4:2: missing label/ },
  { name: 'no label column', config: csvConfig(csv('nolabelcol.csv', 'id,split,m1_a,m2_a\nr1,train,1,2\n'), {}), expect: /nolabelcol\.csv:1: no label column "label"/ },
  { name: 'unknown split value', config: csvConfig(csv('split.csv', header + good(2) + 'r9,1,holdout,1,2,3\n')), expect: /split\.csv:4: unknown split value "holdout" \(use train, val or test\)/ },
  { name: 'glob matching no column', config: csvConfig(csv('glob.csv', header + good(4)), { modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm3', columns: 'm3_*' }] }), expect: /glob\.csv:1: modality m3: the pattern "m3_\*" matches no column/ },
  { name: 'one column in two modalities', config: csvConfig(csv('overlap.csv', header + good(4)), { modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: '*_a' }] }), expect: /overlap\.csv:1: column "m1_a" is selected by modalities m1 and m2/ },
  { name: 'modality files of different lengths', config: csvConfig(csv('lab.csv', 'id,label\na,0\nb,1\nc,0\n'), { split_column: undefined, modalities: [{ name: 'm1', path: csv('short.csv', 'id,x\na,1\nb,2\n') }] }), expect: /short\.csv: has 2 rows, .*lab\.csv has 3/ },
  { name: 'modality files with different ids', config: csvConfig(csv('lab2.csv', 'id,label\na,0\nb,1\nc,0\n'), { split_column: undefined, modalities: [{ name: 'm1', path: csv('ids.csv', 'id,x\na,1\nb,2\nz,3\n') }] }), expect: /ids\.csv: id "c" of .*lab2\.csv:4 is not in this file/ },
  { name: 'missing data file', config: csvConfig('absent.csv'), expect: /absent\.csv: data file not found/ },
  { name: 'npy: wrong dtype', config: npyConfig('complex', { labels: fixture('labels_i8.npy'), modalities: [m('bad_complex.npy')] }), expect: /bad_complex\.npy: unsupported dtype "<c8"/ },
  { name: 'npy: big-endian', config: npyConfig('bigendian', { labels: fixture('labels_i8.npy'), modalities: [m('bad_bigendian.npy')] }), expect: /bad_bigendian\.npy: unsupported dtype ">f4"/ },
  { name: 'npy: Fortran order', config: npyConfig('fortran', { labels: fixture('labels_i8.npy'), modalities: [m('bad_fortran.npy')] }), expect: /bad_fortran\.npy: array is in Fortran order/ },
  { name: 'npy: fewer rows than labels', config: npyConfig('rows', { labels: fixture('labels_i8.npy'), modalities: [m('bad_rows5.npy')] }), expect: /bad_rows5\.npy: has 5 samples, labels_i8\.npy has 6 labels/ },
  { name: 'npy: labels of the wrong shape', config: npyConfig('labels2d', { labels: fixture('bad_labels2d.npy'), modalities: [m('m1_f4.npy')] }), expect: /bad_labels2d\.npy: labels must have shape \(N,\), got \(6, 2\)/ },
  { name: 'npy: NaN value', config: npyConfig('npynan', { labels: fixture('labels_i8.npy'), modalities: [m('bad_nan.npy')] }), expect: /bad_nan\.npy\[1, 1\]: modality "a" has 1 NaN and 0 infinite values; the first is NaN \(set data\.nonfinite: zero/ },
  { name: 'npy: truncated data', config: npyConfig('trunc', { labels: fixture('labels_i8.npy'), modalities: [m('bad_truncated.npy')] }), expect: /bad_truncated\.npy: truncated data/ },
  { name: 'npy: declared shape does not fit', config: npyConfig('shape', { labels: fixture('labels_i8.npy'), modalities: [{ ...m('m1_f4.npy'), shape: [2, 2] }] }), expect: /data\.modalities \(a\): shape \[2, 2\] holds 4 values, but the data has 3 per sample/ },
  { name: 'idx: truncated gzip', config: idxConfig('gztrunc', fixture('bad-truncated-idx3-ubyte.gz')), expect: /bad-truncated-idx3-ubyte\.gz: truncated or corrupt gzip/ },
  { name: 'idx: corrupt gzip', config: idxConfig('gzcorrupt', fixture('bad-corrupt-idx3-ubyte.gz')), expect: /bad-corrupt-idx3-ubyte\.gz: truncated or corrupt gzip/ },
  { name: 'idx: label file of another set', config: writeConfig(dir, { data: { source: 'idx', images: fixture('tiny-images-idx3-ubyte'), labels: fixture('tiny-images-idx3-ubyte') } }, 'idxlabels.yaml'), expect: /tiny-images-idx3-ubyte: labels must be \(N,\), got \(6, 4, 4\)/ },
  { name: 'conv2d on vectors', config: writeConfig(dir, { data: { source: 'synthetic', samples: 100 }, model: { backbone: { type: 'conv2d' } } }, 'convvec.yaml'), expect: /backbone conv2d needs images \[H, W, C\]; modality a has samples of shape \[32\]/ },
];

for (const c of cases) {
  test(`bad data: ${c.name}`, () => {
    const r = runCli(['train', c.config, '--runs-dir', runsDir]);
    assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0], c.expect);
    assert.deepEqual(fs.readdirSync(runsDir), [], 'no run folder left behind');
  });
}
