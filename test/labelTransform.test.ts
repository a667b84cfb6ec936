// Label transforms for regression benchmarks: binary (with MOSI's non-zero protocol) and bins
// (7-class: rounded as numpy rounds, clipped), the samples dropped counted in data.json and in
// every evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { roundHalfEven, transformLabels } from '../src/data/labelTransform';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

test('binary: above the threshold is 1; drop_equal drops labels at the threshold; bins round half to even and clip', () => {
  const at = (i: number) => `labels[${i}]`;
  assert.deepEqual(transformLabels([-1.2, 0, 0.4, 3], { type: 'binary', threshold: 0, drop_equal: true }, at), ['0', null, '1', '1']);
  assert.deepEqual(transformLabels([-1.2, 0, 0.4], { type: 'binary', threshold: 0, drop_equal: false }, at), ['0', '0', '1']);
  assert.deepEqual(transformLabels([-3.4, -0.5, 0.5, 1.5, 2.5, 2.6, 7], { type: 'bins', low: -3, high: 3 }, at), ['-3', '0', '0', '2', '2', '3', '3']);
  assert.deepEqual([-2.5, -1.5, 0.49, 1.51].map(roundHalfEven), [-2, -2, 0, 2]);
  assert.throws(() => transformLabels([1, Number.NaN], { type: 'bins', low: -3, high: 3 }, at), /labels\[1\]: label NaN is not a finite number|label NaN is not a finite number/);
});

test('MOSI-like float labels (N, 1, 1) with the non-zero binary protocol: zeros dropped before the split, counted in data.json and by eval', () => {
  const dir = tmpDir('label-transform');
  const n = 300;
  const y = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : ((i * 13) % 61) / 10 - 3));
  const x = Float32Array.from({ length: n * 6 }, (_, i) => y[Math.floor(i / 6)] * (i % 2 ? 1 : -1) + Math.sin(i));
  writeNpy(path.join(dir, 'y.npy'), y, [n, 1, 1]);
  writeNpy(path.join(dir, 'a.npy'), x, [n, 6]);
  writeNpy(path.join(dir, 'b.npy'), Float32Array.from(x, (v, i) => v * 0.5 + Math.cos(i)), [n, 6]);
  const zeros = Array.from(y).filter((v) => v === 0).length;
  const config = {
    name: 'mosi', seed: 1,
    data: { source: 'npy', labels: 'y.npy', modalities: [{ name: 'a', path: 'a.npy' }, { name: 'b', path: 'b.npy' }], label_transform: { type: 'binary', threshold: 0, drop_equal: true } },
    model: { paradigm: 'joint', backbone: { hidden: [8], out: 4 } }, train: { epochs: 2, batch_size: 32 },
  };
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', writeConfig(dir, config), '--runs-dir', runs, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const id = lastLine(r.stdout);
  const info = JSON.parse(fs.readFileSync(path.join(runs, id, 'data.json'), 'utf8'));
  assert.deepEqual(info.dropped, { count: zeros, why: 'label equal to 0 (label_transform binary, drop_equal)' });
  assert.deepEqual(info.classNames, ['0', '1']);
  const rows = parse(fs.readFileSync(path.join(runs, id, 'split.csv'), 'utf8'), { columns: true }) as { id: string }[];
  assert.equal(rows.length, n - zeros);
  assert.ok(rows.every((row) => Number(row.id) % 5 !== 0), 'the samples with label 0 are in no split');
  const ev = runCli(['eval', id, '--runs-dir', runs, '--json']);
  assert.deepEqual(JSON.parse(ev.stdout).dropped, info.dropped);
  const text = runCli(['eval', id, '--runs-dir', runs]);
  assert.match(text.stdout, new RegExp(`dropped before the split +${zeros} \\(label equal to 0`));
  // Without the transform, float labels are refused as before.
  const refused = runCli(['train', writeConfig(dir, { ...config, data: { ...config.data, label_transform: undefined } }, 'plain.yaml'), '--runs-dir', runs]);
  assert.equal(refused.status, 2);
});
