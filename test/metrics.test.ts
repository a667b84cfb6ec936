import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, argmaxRows, macroF1, perClassAccuracy, perTypeAccuracy, synergyIndicator } from '../src/analysis/metrics';

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
