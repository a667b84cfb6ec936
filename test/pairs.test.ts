// The pairs source: two real images per sample with a known interaction type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { configFromObject } from '../src/config/load';
import { addMark, loadPairs } from '../src/data/pairsSource';
import { UserError } from '../src/errors';
import { tmpDir, writeIdx } from './helpers';

const dir = tmpDir('pairs');
const H = 8;
/** Image i has label i % 5 and every pixel equal to i % 200 (so a pixel names its image). */
function imageSet(name: string, n: number): { images: string; labels: string } {
  const pixels = new Uint8Array(n * H * H);
  for (let i = 0; i < n; i++) pixels.fill(i % 200, i * H * H, (i + 1) * H * H);
  const images = path.join(dir, `${name}-images`);
  const labels = path.join(dir, `${name}-labels`);
  writeIdx(images, [n, H, H], pixels);
  writeIdx(labels, [n], Uint8Array.from({ length: n }, (_, i) => i % 5));
  return { images, labels };
}
const train = imageSet('train', 190);
const testSet = imageSet('test', 60);

function pairsConfig(extra: Record<string, unknown> = {}) {
  const { config } = configFromObject({
    data: { source: 'pairs', images: train.images, labels: train.labels, test_images: testSet.images, test_labels: testSet.labels, classes: [1, 3, 4], samples: 400, test_samples: 120, cue: 0, ...extra },
  });
  if (config.data.source !== 'pairs') throw new Error('pairs');
  return config.data;
}

/** The label of the source image of view v, from the sample id ("k:train-12:train-40"). */
const sourceLabel = (id: string, v: number) => Number(id.split(':')[v + 1].split('-')[1]) % 5;

test('each type pairs the images the specification says, from the classes chosen, in their order', () => {
  const d = loadPairs(pairsConfig(), 1);
  assert.deepEqual(d.classNames, ['1', '3', '4']);
  assert.equal(d.labels.length, 520);
  const cls = (label: number) => [1, 3, 4].indexOf(label);
  const seen = new Set<string>();
  d.ids.forEach((id, i) => {
    const [a, b] = [cls(sourceLabel(id, 0)), cls(sourceLabel(id, 1))];
    assert.ok(a >= 0 && b >= 0, `${id}: only chosen classes`);
    const y = d.labels[i];
    seen.add(d.types![i]);
    switch (d.types![i]) {
      case 'R': assert.deepEqual([a, b], [y, y]); break;
      case 'U1': assert.equal(a, y); break;
      case 'U2': assert.equal(b, y); break;
      case 'S': assert.equal((a + b) % 3, y); break;
    }
    // The pixels are the source images' own.
    const img = d.modalities[0].values.subarray(i * H * H, (i + 1) * H * H);
    assert.ok(Math.abs(img[20] - (Number(id.split(':')[1].split('-')[1]) % 200) / 255) < 1e-6);
  });
  assert.equal(seen.size, 4);
  assert.deepEqual(d.modalities.map((m) => [m.name, m.shape]), [['a', [H, H, 1]], ['b', [H, H, 1]]]);
});

test('validation pairs never share an image with training pairs; test pairs come from the test images', () => {
  const d = loadPairs(pairsConfig(), 2);
  const imagesOf = (s: number) => new Set(d.ids.filter((_, i) => d.split[i] === s).flatMap((id) => id.split(':').slice(1)));
  const [tr, va, te] = [0, 1, 2].map(imagesOf);
  assert.equal([...va].filter((x) => tr.has(x)).length, 0);
  assert.ok([...te].every((x) => x.startsWith('test-')));
  assert.ok([...tr, ...va].every((x) => x.startsWith('train-')));
  assert.deepEqual([0, 1, 2].map((s) => d.split.filter((x) => x === s).length), [340, 60, 120]);
});

test('the cue brightens one corner per type, the same on both images', () => {
  const img = new Float32Array(28 * 28);
  addMark(img, 28, 28, 3, 0.3);
  assert.ok(Math.abs(img[(28 - 2) * 28 + (28 - 2)] - 0.3) < 1e-6, 'S: bottom-right');
  assert.equal(img[28 + 1], 0, 'not top-left');
  const d = loadPairs(pairsConfig({ cue: 0.5 }), 3);
  const i = d.types!.indexOf('R');
  const a = d.modalities[0].values.subarray(i * H * H, (i + 1) * H * H);
  const base = (Number(d.ids[i].split(':')[1].split('-')[1]) % 200) / 255;
  assert.ok(Math.abs(a[H + 1] - Math.min(1, base + 0.5)) < 1e-6, 'R: top-left marked');
  assert.ok(Math.abs(a[H * H - 2] - base) < 1e-6, 'other corners untouched');
});

test('bad pair settings stop with one line', () => {
  assert.throws(() => loadPairs(pairsConfig({ classes: [1, 7] }), 1), (e: unknown) => e instanceof UserError && /no image has label 7/.test(e.message));
  assert.throws(() => configFromObject({ data: { source: 'pairs', images: 'x', labels: 'y', classes: [1, 1] } }), /list each label once/);
});
