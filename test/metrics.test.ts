import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, wilsonInterval } from '../src/analysis/intervals';
import { accuracy, argmaxRows, macroF1, perClassAccuracy, perTypeAccuracy, synergyIndicator } from '../src/analysis/metrics';
import { evaluatePredictions } from '../src/experiment/evaluate';

const i32 = (xs: number[]) => Int32Array.from(xs);

test('accuracy and per-class recall against hand-computed values', () => {
  const y = i32([0, 0, 1, 1, 2, 2]);
  const p = i32([0, 1, 1, 1, 0, 2]);
  assert.equal(accuracy(p, y), 4 / 6);
  assert.deepEqual(perClassAccuracy(p, y, 4), [0.5, 1, 0.5, null]);
});

test('macro-F1 against hand-computed values', () => {
  // class 0: tp 1 fp 1 fn 1 -> 2/4; class 1: tp 2 fp 1 fn 0 -> 4/5; class 2: tp 1 fp 0 fn 1 -> 2/3
  const y = i32([0, 0, 1, 1, 2, 2]);
  const p = i32([0, 1, 1, 1, 0, 2]);
  assert.ok(Math.abs(macroF1(p, y, 3) - (0.5 + 0.8 + 2 / 3) / 3) < 1e-12);
  // A class that never occurs in labels or predictions does not count.
  assert.ok(Math.abs(macroF1(p, y, 5) - (0.5 + 0.8 + 2 / 3) / 3) < 1e-12);
});

test('per-type accuracy', () => {
  const y = i32([0, 1, 2, 0]);
  const p = i32([0, 0, 2, 1]);
  assert.deepEqual(perTypeAccuracy(p, y, ['R', 'S', 'S', 'U1']), { R: 1, U1: 0, U2: null, S: 0.5 });
});

test('synergy indicator counts right-while-every-unimodal-wrong', () => {
  const y = i32([0, 1, 2, 0, 1]);
  const pred = i32([0, 1, 2, 1, 1]);
  const u1 = i32([1, 1, 0, 0, 0]);
  const u2 = i32([2, 0, 1, 1, 0]);
  // sample 0: right, both wrong -> 1; 1: u1 right -> 0; 2: right, both wrong -> 1; 3: wrong; 4: both wrong, right -> 1
  assert.equal(synergyIndicator(pred, [u1, u2], y), 3 / 5);
  assert.equal(synergyIndicator(pred, [y, y], y), 0);
});

test('argmax over rows picks the first maximum', () => {
  assert.deepEqual(Array.from(argmaxRows(Float32Array.from([0.2, 0.5, 0.3, 0.4, 0.4, 0.2]), 3)), [1, 0]);
});

test('Wilson interval against its closed form; it stays inside [0, 1] at the extremes', () => {
  // 8 of 10: centre (0.8 + z^2/20) / (1 + z^2/10), half z / (1 + z^2/10) * sqrt(0.016 + z^2/400).
  const z = 1.959963984540054;
  const d = 1 + (z * z) / 10;
  const centre = (0.8 + (z * z) / 20) / d;
  const half = (z / d) * Math.sqrt(0.8 * 0.2 / 10 + (z * z) / 400);
  const [lo, hi] = wilsonInterval(8, 10);
  assert.ok(Math.abs(lo - (centre - half)) < 1e-12 && Math.abs(hi - (centre + half)) < 1e-12);
  assert.ok(Math.abs(lo - 0.4902) < 1e-4 && Math.abs(hi - 0.9433) < 1e-4, `${lo} ${hi}`);
  assert.deepEqual(wilsonInterval(0, 5).map((v) => Math.round(v * 1e4) / 1e4), [0, 0.4345]);
  assert.equal(wilsonInterval(5, 5)[1], 1);
});

test('an evaluation report carries accuracy_ci (Wilson), macro_f1_ci (seeded bootstrap) and the confusion matrix', () => {
  const y = i32([0, 0, 1, 1, 2, 2, 0, 1, 2, 0]);
  const pred = [0, 1, 1, 1, 0, 2, 0, 1, 2, 2];
  const probs = Float32Array.from(pred.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 0.8 : 0.1))));
  const p = { indices: i32(pred.map((_, i) => i)), ids: Array.from(y, String), labels: y, classNames: ['a', 'b', 'c'], classes: 3, prior: [0.4, 0.3, 0.3], probs };
  const r = evaluatePredictions('run', 'joint', 'test', p);
  assert.equal(r.accuracy, 0.7);
  assert.deepEqual(r.accuracy_ci, wilsonInterval(7, 10));
  assert.deepEqual(r.confusion, { classes: ['a', 'b', 'c'], counts: [[2, 1, 1], [0, 3, 0], [1, 0, 2]] });
  assert.ok(r.macro_f1_ci[0] <= r.macro_f1 && r.macro_f1 <= r.macro_f1_ci[1], `${r.macro_f1_ci} around ${r.macro_f1}`);
  assert.deepEqual(evaluatePredictions('run', 'joint', 'test', p).macro_f1_ci, r.macro_f1_ci, 'seeded: the same interval every time');
  assert.match(r.intervals, /Wilson/);
});

test('bootstrap percentiles follow numpy\'s linear interpolation', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.025), 1.1);
});
