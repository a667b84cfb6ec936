// The pickle source on MultiBench's affect layout ({train, valid, test} -> {vision, audio, labels,
// id}), written without Python: splits stacked in order with the file's ids, regression labels
// through a transform (dropped zeros counted), -inf refused or zeroed, a validation split taken
// from training when the file has none; and every misuse one line naming the key and the keys
// there are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pickleData } from '../src/config/fileSources';
import { loadPickle } from '../src/data/pickleSource';
import { UserError } from '../src/errors';
import { f32, ndarray, P, pickle } from './support/pickleWriter';
import { tmpDir } from './helpers';

const f64 = (values: number[]): Uint8Array => new Uint8Array(Float64Array.from(values).buffer);

/** One split: vision (n, 2, 3), audio (n, 2) with -inf in the first row when asked, labels (n, 1, 1), ids. */
function split(name: string, labels: number[], opts: { inf?: boolean; visionItems?: number; objectAudio?: boolean } = {}): [string, Buffer] {
  const n = labels.length;
  const items = opts.visionItems ?? 6;
  const vision = Array.from({ length: n * items }, (_, i) => i + (name === 'test' ? 100 : 0));
  const audio = Array.from({ length: n * 2 }, (_, i) => (opts.inf && i === 1 ? -Infinity : i / 2));
  return [name, P.dict([
    ['vision', ndarray('f4', [n, ...(items === 6 ? [2, 3] : [items])], f32(vision))],
    ['audio', opts.objectAudio ? ndarray('O8', [n], labels.map(() => P.str('x')), { order: '|' }) : ndarray('f8', [n, 2], f64(audio))],
    ['labels', ndarray('f8', [n, 1, 1], f64(labels))],
    ['id', ndarray('O8', [n], labels.map((_, i) => P.bytes(Buffer.from(`${name}-${i}`))), { order: '|' })],
  ])];
}

function write(dir: string, splits: [string, Buffer][]): string {
  const file = path.join(dir, 'affect.pkl');
  fs.writeFileSync(file, pickle(P.dict(splits)));
  return file;
}

const config = (file: string, extra: Record<string, unknown> = {}) =>
  pickleData.parse({ source: 'pickle', path: file, ids: 'id', modalities: [{ name: 'vision' }, { name: 'audio' }], label_transform: { type: 'binary', drop_equal: true }, nonfinite: 'zero', ...extra });

const LABELS = { train: [1.2, -0.4, 0, 2.5, -3, 0.6, -1, 1.8, -2.2, 0.2, -0.8, 2], valid: [0.4, -1.4, 2, -0.6], test: [-1.6, 0, 1.4, -0.2] };

test('MultiBench\'s affect layout: splits stacked in order with their ids, zeros dropped and counted, -inf zeroed and counted', () => {
  const dir = tmpDir('pickle-source');
  const file = write(dir, [split('train', LABELS.train, { inf: true }), split('valid', LABELS.valid), split('test', LABELS.test)]);
  const d = loadPickle(config(file), 1);
  assert.deepEqual(d.ids.slice(0, 3), ['train-0', 'train-1', 'train-3']);
  assert.equal(d.ids.length, 18);
  assert.deepEqual(d.dropped, { count: 2, why: 'label equal to 0 (label_transform binary, drop_equal)' });
  assert.deepEqual(Array.from(d.split), [...Array(11).fill(0), ...Array(4).fill(1), ...Array(3).fill(2)]);
  assert.deepEqual(d.classNames, ['0', '1']);
  assert.deepEqual(Array.from(d.labels.slice(0, 4)), [1, 0, 1, 0]);
  assert.deepEqual(d.modalities.map((m) => m.shape), [[2, 3], [2]]);
  // The test split's first vision row, after 15 samples of 6 values (two training rows dropped).
  assert.deepEqual(Array.from(d.modalities[0].values.slice(15 * 6, 15 * 6 + 3)), [100, 101, 102]);
  assert.deepEqual(Array.from(d.modalities[1].values.slice(0, 2)), [0, 0]);
  assert.deepEqual(d.nonfinite, [{ modality: 'audio', nan: 0, inf: 1 }]);
});

test('without a validation split in the file, data.val_from_train takes the last N training samples', () => {
  const dir = tmpDir('pickle-val');
  const file = write(dir, [split('train', LABELS.train), split('test', LABELS.test)]);
  const d = loadPickle(config(file, { splits: { val: null }, val_from_train: { last: 3 } }), 1);
  assert.deepEqual(d.ids.filter((_, i) => d.split[i] === 1), ['train-9', 'train-10', 'train-11']);
  assert.throws(() => pickleData.parse({ source: 'pickle', path: 'x', modalities: [{ name: 'a' }], splits: { val: null } }), /no validation split/);
});

const fails = (dir: string, splits: [string, Buffer][], pattern: RegExp, extra: Record<string, unknown> = {}) =>
  assert.throws(() => loadPickle(config(write(dir, splits), extra), 1), (e: unknown) => e instanceof UserError && pattern.test(e.oneLine()));

test('misuse is one line: missing keys (listing those there), -inf by default, object features, shapes that differ between splits, labels the transform cannot take', () => {
  const dir = tmpDir('pickle-bad');
  const ok = [split('train', LABELS.train), split('valid', LABELS.valid), split('test', LABELS.test)];
  fails(dir, [ok[0], ok[2]], /affect\.pkl: the pickle has no key "valid" \(keys there: train, test\)/);
  fails(dir, ok, /\["train"\] has no key "video" \(keys there: vision, audio, labels, id\)/, { modalities: [{ name: 'video' }, { name: 'audio' }] });
  fails(dir, [split('train', LABELS.train, { inf: true }), ok[1], ok[2]], /affect\.pkl\["train"\]\["audio"\]\[0\]: modality "audio" has 0 NaN and 1 infinite value; .*data\.nonfinite: zero/, { nonfinite: 'error' });
  fails(dir, [split('train', LABELS.train, { objectAudio: true }), ok[1], ok[2]], /\["train"\]\["audio"\] has shape \(12\), expected \(12, \.\.\.\)/);
  fails(dir, [ok[0], split('valid', LABELS.valid, { visionItems: 5 }), ok[2]], /modality vision has samples of shape \[5\] in the val split and \[2, 3\] in the train split/);
  fails(dir, [split('train', [...LABELS.train.slice(0, 11), NaN]), ok[1], ok[2]], /affect\.pkl\["train"\]\["labels"\]\[11\]: label NaN is not a finite number/);
  fails(dir, ok, /affect\.pkl\["train"\]\["labels"\]\[0\]: label 1\.2 is not an integer .*data\.label_transform/, { label_transform: undefined });
  fails(dir, [['train', P.list([])], ok[1], ok[2]], /\["train"\] is not a dict/);
});
