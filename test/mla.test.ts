// MLA (Zhang et al., CVPR 2024): in a training turn only the scheduled modality's encoder (and
// the shared head) changes, the other encoder and its optimiser state stay exactly as they were;
// the shared head's weight moves by the projected gradient P g, P recomputed by hand; and the
// test-time fusion weights are softmax(-H) of the modalities' prediction entropies, by hand and
// as the model predicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { crossEntropy } from '../src/models/losses';
import { buildModel } from '../src/paradigms';
import { entropyWeights, updateProjection } from '../src/paradigms/mla';
import { Optimizer } from '../src/train/optimizer';
import { stepper, turnStep } from '../src/train/step';
import { tinyConfig } from './helpers';

async function mla(sets: string[] = []) {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'mla', backbone: { hidden: [], out: 4 } } }), sets).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const stage = model.stages[0];
  const s = stepper(model, stage, new Optimizer(config.train.optimizer, model.params, stage.trainable));
  const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 32));
  const values = () => Object.fromEntries(model.params.names().map((n) => [n, Array.from(model.params.get(n).dataSync())]));
  return { config, data, model, stage, s, batch, values };
}

test('a turn moves its own modality\'s encoder and the shared head, and leaves the other encoder and its optimiser state exactly as they were', async () => {
  const { model, stage, s, batch, values } = await mla();
  // Where encoder b's parameters sit in the optimiser's flat slots (stage.trainable order).
  const sizes = stage.trainable.map((n) => model.params.get(n).size);
  const inB = stage.trainable.flatMap((n, i) => Array.from({ length: sizes[i] }, () => n.startsWith('mla.encoder.b.')));
  const slotsOfB = () => {
    const { tensors } = s.optimizer.state();
    const out = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.dataSync()).filter((_, i) => inB[i])]));
    tf.dispose(Object.values(tensors));
    return out;
  };
  const before = values();
  tf.dispose(turnStep(s, batch, 0.01, 0, 0));
  const afterA = values();
  const moved = (from: Record<string, number[]>, to: Record<string, number[]>, prefix: string) => Object.keys(from).filter((n) => n.startsWith(prefix)).some((n) => from[n].some((v, i) => v !== to[n][i]));
  assert.ok(moved(before, afterA, 'mla.encoder.a.') && moved(before, afterA, 'mla.head.'), 'turn a trains encoder a and the head');
  assert.ok(!moved(before, afterA, 'mla.encoder.b.'), 'turn a leaves encoder b exactly as it was');
  assert.ok(Object.values(slotsOfB()).every((xs) => xs.length > 0 && xs.every((v) => v === 0)), 'turn a leaves encoder b\'s Adam moments at zero');
  tf.dispose(turnStep(s, batch, 0.01, 0, 1));
  const afterB = values();
  assert.ok(moved(afterA, afterB, 'mla.encoder.b.') && !moved(afterA, afterB, 'mla.encoder.a.'), 'turn b trains encoder b only');
  assert.ok(Object.values(slotsOfB()).every((xs) => xs.some((v) => v !== 0)), 'turn b moves them');
  disposeBatch(batch);
  model.params.dispose();
});

test('the shared head\'s weight moves by -lr P g, P the projection updated by hand with the turn\'s mean representation', async () => {
  const { model, s, batch } = await mla(['train.optimizer.type=sgd', 'train.optimizer.momentum=0']);
  // The first turn of all is not projected; the second (modality b, step 0) is, with a = 0.1^(1 + 0).
  tf.dispose(turnStep(s, batch, 0.05, 0, 0));
  const w = model.params.get('mla.head.w');
  const before = w.clone();
  const { grad, r } = tf.tidy(() => {
    const enc = (x: tf.Tensor2D) => tf.relu(tf.add(tf.matMul(x, model.params.get('mla.encoder.b.0.w')), model.params.get('mla.encoder.b.0.b'))) as tf.Tensor2D;
    const zb = enc(batch.inputs[1]);
    const g = tf.grad((hw: tf.Tensor) => crossEntropy(tf.add(tf.matMul(zb, hw), model.params.get('mla.head.b')) as tf.Tensor2D, batch.labels))(w);
    return { grad: g as tf.Tensor2D, r: tf.transpose(tf.mean(zb, 0, true)) as tf.Tensor2D };
  });
  const p = updateProjection(tf.eye(4) as tf.Tensor2D, r, 0.1);
  tf.dispose(turnStep(s, batch, 0.05, 0, 1));
  const want = tf.sub(before, tf.mul(tf.matMul(p, grad), 0.05));
  assert.ok(tf.max(tf.abs(tf.sub(w, want))).dataSync()[0] < 1e-6, 'projected step');
  assert.ok(tf.max(tf.abs(tf.sub(model.params.get('mla-state.projection'), p))).dataSync()[0] < 1e-6, 'P is kept for the next turn');
  assert.ok(tf.max(tf.abs(tf.sub(tf.sub(before, tf.mul(grad, 0.05)), want))).dataSync()[0] > 1e-4, 'and the projection made a difference');
  tf.dispose([before, grad, r, p, want]);
  disposeBatch(batch);
  model.params.dispose();
});

test('the projection by hand: P = I, r = e_1, a = 0.1: P - k k^T / (a + r^T k), then Frobenius norm 1', async () => {
  await selectBackend('cpu');
  const p = updateProjection(tf.eye(2) as tf.Tensor2D, tf.tensor2d([[1], [0]]), 0.1).arraySync();
  const top = 1 - 1 / 1.1;
  const norm = Math.sqrt(top * top + 1);
  [[top / norm, 0], [0, 1 / norm]].forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(p[i][j] - v) < 1e-6, `${i},${j}: ${p[i][j]} vs ${v}`)));
});

test('the test-time weights are softmax(-H) of the modalities\' prediction entropies, by hand and in the model\'s prediction', async () => {
  await selectBackend('cpu');
  // Modality a uniform over 2 classes: H = log 2; b sure: logits [10, 0], H = -(q log q + (1-q) log(1-q)), q = sigmoid(10).
  const q = 1 / (1 + Math.exp(-10));
  const hb = -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
  const w = entropyWeights([tf.tensor2d([[0, 0]]), tf.tensor2d([[10, 0]])]).dataSync();
  const wb = Math.exp(-hb) / (Math.exp(-hb) + Math.exp(-Math.log(2)));
  assert.ok(Math.abs(w[1] - wb) < 1e-6 && Math.abs(w[0] - (1 - wb)) < 1e-6, `${w} vs b ${wb}`);
  const { model, batch } = await mla();
  tf.tidy(() => {
    const p = model.predict(batch.inputs);
    const entropy = (probs: tf.Tensor2D) => tf.neg(tf.sum(tf.mul(probs, tf.log(probs)), 1));
    const want = tf.softmax(tf.neg(tf.stack([entropy(p.unimodal!.a), entropy(p.unimodal!.b)], 1)));
    assert.ok(tf.max(tf.abs(tf.sub(p.modalityWeights!, want))).dataSync()[0] < 1e-5, 'weights from the entropies');
    // softmax(sum_m w_m f_m) with f_m = log p_m + a per-row constant.
    const parts = tf.unstack(want, 1);
    const fused = tf.softmax(tf.add(tf.mul(tf.log(p.unimodal!.a), tf.expandDims(parts[0], 1)), tf.mul(tf.log(p.unimodal!.b), tf.expandDims(parts[1], 1))));
    assert.ok(tf.max(tf.abs(tf.sub(fused, p.probs))).dataSync()[0] < 1e-5, 'the prediction fuses the logits by those weights');
  });
  disposeBatch(batch);
  model.params.dispose();
});
