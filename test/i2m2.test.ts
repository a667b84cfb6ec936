// I2M2 (Madaan et al., NeurIPS 2024): the product of experts against a hand-computed case; the
// model's prediction is that product of its own intra-modality classifiers and its inter-modality
// one (checked with the inter classifier made uniform, so the product is the intra ones' alone);
// the stages train what the authors' code trains, in its order and at its learning rates; and a
// run trains and evaluates with its unimodal heads reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { buildModel } from '../src/paradigms';
import { productOfExperts } from '../src/paradigms/i2m2';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('the product of experts: q(y) ∝ Π_e q_e(y), from logits that are any shift of log q_e', async () => {
  await selectBackend('cpu');
  // Experts [0.5, 0.3, 0.2] and [0.2, 0.2, 0.6]: the product 0.10, 0.06, 0.12 over 0.28.
  const a = tf.tensor2d([[Math.log(0.5) + 3, Math.log(0.3) + 3, Math.log(0.2) + 3]]);
  const b = tf.tensor2d([[Math.log(0.2) - 1, Math.log(0.2) - 1, Math.log(0.6) - 1]]);
  const logq = productOfExperts([a, b]);
  const q = Array.from(tf.exp(logq).dataSync());
  [0.1 / 0.28, 0.06 / 0.28, 0.12 / 0.28].forEach((want, k) => assert.ok(Math.abs(q[k] - want) < 1e-6, `class ${k}: ${q[k]} vs ${want}`));
  // A uniform expert changes nothing.
  const u = tf.zeros([1, 3]) as tf.Tensor2D;
  assert.ok(tf.max(tf.abs(tf.sub(productOfExperts([a, b, u]), logq))).dataSync()[0] < 1e-6);
  tf.dispose([a, b, logq, u]);
});

test('the model predicts the product of its intra-modality classifiers and its inter one; stages train what the authors\' code trains', async () => {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'i2m2', backbone: { hidden: [8], out: 4 } } })).config;
  const model = buildModel(config, { inputDims: [6, 5], inputShapes: [[6], [5]], modalityNames: ['a', 'b'], classes: 3 });
  assert.deepEqual(model.stages.map((s) => s.name), ['intra-a', 'intra-b', 'inter', 'product']);
  assert.ok(model.stages[0].trainable.every((n) => n.startsWith('i2m2.intra.a.')));
  assert.ok(model.stages[2].trainable.every((n) => n.startsWith('i2m2.inter.')));
  assert.equal(model.stages[3].trainable.length, model.params.names().length);
  assert.equal(model.stages[3].train?.optimizer.lr, config.train.optimizer.lr * 0.1);
  // The inter classifier's last layer at zero: q(y | x_a, x_b) is uniform, so the product is the intra classifiers' alone.
  const last = model.params.names(['i2m2.inter.head']).slice(-2);
  model.params.assign(Object.fromEntries(last.map((n) => [n, tf.zerosLike(model.params.get(n))])));
  tf.tidy(() => {
    const inputs = [tf.randomNormal([7, 6], 0, 1, 'float32', 3), tf.randomNormal([7, 5], 0, 1, 'float32', 4)] as tf.Tensor2D[];
    const p = model.predict(inputs);
    const product = tf.mul(p.unimodal!.a, p.unimodal!.b);
    const expected = tf.div(product, tf.sum(product, 1, true));
    assert.ok(tf.max(tf.abs(tf.sub(p.probs, expected))).dataSync()[0] < 1e-5);
    assert.ok(tf.max(tf.abs(tf.sub(tf.sum(p.probs, 1), 1))).dataSync()[0] < 1e-5);
  });
  // And with the intra classifiers uniform instead, the prediction is the inter one's: not uniform.
  const init = buildModel(config, { inputDims: [6, 5], inputShapes: [[6], [5]], modalityNames: ['a', 'b'], classes: 3 });
  model.params.assign(init.params.snapshot());
  init.params.dispose();
  const intraLast = ['a', 'b'].flatMap((m) => model.params.names([`i2m2.intra.${m}.head`]));
  model.params.assign(Object.fromEntries(intraLast.map((n) => [n, tf.zerosLike(model.params.get(n))])));
  tf.tidy(() => {
    const p = model.predict([tf.randomNormal([7, 6], 0, 1, 'float32', 3), tf.randomNormal([7, 5], 0, 1, 'float32', 4)] as tf.Tensor2D[]);
    assert.ok(tf.max(tf.abs(tf.sub(p.unimodal!.a, 1 / 3))).dataSync()[0] < 1e-6, 'the intra classifiers are uniform');
    assert.ok(tf.max(tf.abs(tf.sub(p.probs, 1 / 3))).dataSync()[0] > 1e-3, 'the inter classifier is in the product');
  });
  model.params.dispose();
  const flat = buildModel(configFromObject(tinyConfig({ model: { paradigm: 'i2m2', pretrain: false } })).config, { inputDims: [6, 5], inputShapes: [[6], [5]], modalityNames: ['a', 'b'], classes: 3 });
  assert.deepEqual(flat.stages.map((s) => [s.name, s.train]), [['product', undefined]]);
  flat.params.dispose();
});

test('an i2m2 run trains and evaluates; eval reports its unimodal classifiers', () => {
  const dir = tmpDir('i2m2');
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', writeConfig(dir, tinyConfig({ model: { paradigm: 'i2m2', backbone: { hidden: [16], out: 8 } } })), '--runs-dir', runs, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const ev = runCli(['eval', lastLine(r.stdout), '--runs-dir', runs, '--json']);
  assert.equal(ev.status, 0, ev.stderr);
  const report = JSON.parse(ev.stdout);
  assert.equal(report.paradigm, 'i2m2');
  assert.deepEqual(Object.keys(report.unimodal_accuracy), ['a', 'b']);
  assert.ok(report.synergy_indicator !== null);
});
