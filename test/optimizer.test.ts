import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { Params } from '../src/models/params';
import { Optimizer } from '../src/train/optimizer';
import { learningRate } from '../src/train/schedule';
import { initialEarlyStop, observe } from '../src/train/earlyStop';

const base = { type: 'adam' as const, lr: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0 };

function oneParam(value: number): Params {
  const p = new Params();
  p.add('x.w', [1], new Float32Array(1)).assign(tf.tensor1d([value]));
  return p;
}

test('adam: first step moves each weight by lr * sign(gradient)', async () => {
  await selectBackend('cpu');
  const p = oneParam(1);
  const opt = new Optimizer(base, p, ['x.w']);
  opt.apply({ 'x.w': tf.tensor1d([3]) }, 0.1);
  // m_hat = g, v_hat = g^2 -> step = lr * g / (|g| + eps)
  assert.ok(Math.abs(p.get('x.w').dataSync()[0] - (1 - 0.1 * 3 / (3 + 1e-7))) < 1e-6);
  opt.dispose();
  p.dispose();
});

test('sgd with momentum and weight decay: two steps by hand', async () => {
  await selectBackend('cpu');
  const p = oneParam(2);
  const opt = new Optimizer({ ...base, type: 'sgd', weight_decay: 0.5 }, p, ['x.w']);
  // step 1: g = 1 + 0.5*2 = 2; buf = 2; w = 2 - 0.1*2 = 1.8
  opt.apply({ 'x.w': tf.tensor1d([1]) }, 0.1);
  assert.ok(Math.abs(p.get('x.w').dataSync()[0] - 1.8) < 1e-6);
  // step 2: g = 1 + 0.9 = 1.9; buf = 0.9*2 + 1.9 = 3.7; w = 1.8 - 0.37 = 1.43
  opt.apply({ 'x.w': tf.tensor1d([1]) }, 0.1);
  assert.ok(Math.abs(p.get('x.w').dataSync()[0] - 1.43) < 1e-6);
  const state = opt.state();
  assert.equal(state.step, 2);
  assert.ok(Math.abs(state.tensors.momentum.dataSync()[0] - 3.7) < 1e-6);
  tf.dispose(Object.values(state.tensors));
  opt.dispose();
  p.dispose();
});

test('adam over several tensors equals adam on each: flat update, per-parameter closed form, biases not decayed', async () => {
  await selectBackend('cpu');
  const p = new Params();
  p.add('a.w', [2, 2], new Float32Array(4)).assign(tf.tensor2d([[1, 2], [3, 4]]));
  p.add('a.b', [3], new Float32Array(3)).assign(tf.tensor1d([1, 1, 1]));
  const opt = new Optimizer({ ...base, weight_decay: 0.1 }, p, ['a.w', 'a.b']);
  const gw = [[0.5, -1], [2, 0]];
  opt.apply({ 'a.w': tf.tensor2d(gw), 'a.b': tf.tensor1d([-3, 0, 1]) }, 0.1);
  // First Adam step: w -= lr * g' / (|g'| + eps) with g' = g + wd * w for weights only.
  const step = (g: number) => (g === 0 ? 0 : 0.1 * g / (Math.abs(g) + 1e-7));
  const w = [1, 2, 3, 4].map((x, i) => x - step(gw.flat()[i] + 0.1 * x));
  const b = [1, 1, 1].map((x, i) => x - step([-3, 0, 1][i]));
  Array.from(p.get('a.w').dataSync()).forEach((x, i) => assert.ok(Math.abs(x - w[i]) < 1e-6, `w[${i}] ${x} vs ${w[i]}`));
  Array.from(p.get('a.b').dataSync()).forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-6, `b[${i}] ${x} vs ${b[i]}`));
  opt.dispose();
  p.dispose();
});

test('learning-rate schedules', () => {
  const s = { type: 'step' as const, step_size: 2, gamma: 0.5, min_lr: 0 };
  assert.deepEqual([0, 1, 2, 3, 4].map((e) => learningRate(1, s, e, 5)), [1, 1, 0.5, 0.5, 0.25]);
  const c = { ...s, type: 'cosine' as const, min_lr: 0.1 };
  assert.equal(learningRate(1, c, 0, 5), 1);
  assert.ok(Math.abs(learningRate(1, c, 2, 5) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(1, c, 4, 5) - 0.1) < 1e-12);
  assert.equal(learningRate(0.3, { ...s, type: 'none' }, 7, 10), 0.3);
});

test('early stopping: best epoch, patience, min_delta, both directions', () => {
  const opts = { metric: 'val_loss' as const, patience: 2, minDelta: 0.01 };
  const at = (loss: number) => ({ loss, ce: 0, accuracy: 0 });
  let st = initialEarlyStop();
  const seen = [1.0, 0.8, 0.795, 0.9, 0.7].map((v, e) => {
    const r = observe(st, e, at(v), opts);
    st = r.state;
    return [r.improved, r.stop];
  });
  assert.deepEqual(seen, [[true, false], [true, false], [false, false], [false, true], [true, false]]);
  assert.equal(st.bestEpoch, 4);
  const accOpts = { ...opts, metric: 'val_accuracy' as const };
  const acc = observe(observe(initialEarlyStop(), 0, { loss: 9, ce: 1, accuracy: 0.5 }, accOpts).state, 1, { loss: 9, ce: 1, accuracy: 0.6 }, accOpts);
  assert.equal(acc.improved, true);
  assert.equal(observe(initialEarlyStop(), 0, at(1), { ...opts, patience: 0 }).stop, false);
});

test('model selection on the prediction: val_ce ignores the regularisers, ties go to accuracy, and the incoming model (epoch 0) can win', () => {
  const opts = { metric: 'val_ce' as const, patience: 0, minDelta: 0 };
  // Epoch 0 is the incoming model; epoch 1 has a lower total loss (regularisers) but a worse prediction.
  const epochs = [
    { loss: 5.0, ce: 0.30, accuracy: 0.90 },
    { loss: 4.0, ce: 0.35, accuracy: 0.91 },
    { loss: 6.0, ce: 0.30, accuracy: 0.92 }, // level on val_ce with epoch 0, better accuracy: a tie won on accuracy
    { loss: 3.0, ce: 0.30, accuracy: 0.92 }, // level on both: not an improvement
  ];
  let st = initialEarlyStop();
  const improved = epochs.map((o, e) => {
    const r = observe(st, e, o, opts);
    st = r.state;
    return r.improved;
  });
  assert.deepEqual(improved, [true, false, true, false]);
  assert.equal(st.bestEpoch, 2);
  // With only epochs 0 and 1, the stage keeps what it was given.
  const two = observe(observe(initialEarlyStop(), 0, epochs[0], opts).state, 1, epochs[1], opts).state;
  assert.equal(two.bestEpoch, 0);
  // val_loss would have picked epoch 1, val_accuracy breaks its ties by val_ce.
  assert.equal(observe(observe(initialEarlyStop(), 0, epochs[0], { ...opts, metric: 'val_loss' }).state, 1, epochs[1], { ...opts, metric: 'val_loss' }).state.bestEpoch, 1);
  const accTie = observe(observe(initialEarlyStop(), 0, { loss: 0, ce: 0.4, accuracy: 0.9 }, { ...opts, metric: 'val_accuracy' }).state, 1, { loss: 0, ce: 0.3, accuracy: 0.9 }, { ...opts, metric: 'val_accuracy' });
  assert.equal(accTie.improved, true);
  // A NaN prediction never counts as an improvement.
  assert.equal(observe(st, 4, { loss: 0, ce: Number.NaN, accuracy: 1 }, opts).improved, false);
});

test('with `only`, the other parameters and their Adam moments stay exactly as they are; two updates of one, one of the other, by hand', async () => {
  await selectBackend('cpu');
  const p = new Params();
  p.add('a.w', [1], Float32Array.of(1));
  p.add('b.w', [1], Float32Array.of(1));
  const opt = new Optimizer(base, p, ['a.w', 'b.w']);
  opt.apply({ 'a.w': tf.tensor1d([3]), 'b.w': tf.tensor1d([5]) }, 0.1, ['a.w']);
  assert.equal(p.get('b.w').dataSync()[0], 1, 'b does not move');
  const { tensors } = opt.state();
  assert.deepEqual(Array.from(tensors.m.dataSync()).map((v) => +v.toFixed(6)), [0.3, 0], 'b\'s first moment is untouched');
  assert.deepEqual(Array.from(tensors.v.dataSync()).map((v) => +v.toFixed(6)), [0.009, 0], 'and its second');
  tf.dispose(Object.values(tensors));
  opt.apply({ 'b.w': tf.tensor1d([5]) }, 0.1, ['b.w']);
  // b's moments are its first: m = 0.5, v = 0.025; the bias correction uses the optimiser's step count, 2.
  const c1 = 1 - 0.9 ** 2;
  const c2 = Math.sqrt(1 - 0.999 ** 2);
  const want = 1 - (0.1 * c2 / c1) * 0.5 / (Math.sqrt(0.025) + 1e-7 * c2);
  assert.ok(Math.abs(p.get('b.w').dataSync()[0] - want) < 1e-6, `${p.get('b.w').dataSync()[0]} vs ${want}`);
  assert.ok(Math.abs(p.get('a.w').dataSync()[0] - (1 - 0.1 * 3 / (3 + 1e-7))) < 1e-6, 'a keeps its first step only');
  opt.dispose();
  p.dispose();
});

test('state: saved with the parameters, not counted, and taking the shape of what is assigned to it', async () => {
  await selectBackend('cpu');
  const p = new Params();
  p.add('x.w', [2], Float32Array.of(1, 2));
  p.addState('x-state.history', [3]);
  assert.equal(p.count(), 2, 'state is not a parameter');
  const saved = p.snapshot();
  assert.deepEqual(Object.keys(saved), ['x.w', 'x-state.history'], 'but is saved with them');
  tf.dispose(Object.values(saved));
  p.assign({ 'x-state.history': tf.tensor1d([4, 5, 6, 7, 8]) });
  assert.deepEqual(Array.from(p.get('x-state.history').dataSync()), [4, 5, 6, 7, 8], 'state sized by other data is read as it is');
  assert.throws(() => p.assign({ 'x.w': tf.tensor1d([1, 2, 3]) }), /does not fit/, 'a parameter must keep its shape');
  p.dispose();
});
