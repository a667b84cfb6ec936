// OGM-GE (Peng et al., CVPR 2022): the modulation coefficient recomputed by hand for a fixed
// batch; one SGD step moves the dominant modality's encoder by exactly k times what the same
// network moves without modulation, and nothing else differently; the GE noise has the spread of
// the gradient. The effect that defines the method (b's own head ends more accurate where a is
// far stronger, seeds 1-3) is in test/integration/comparisonEffects.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { makeBatch, disposeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import { trueClassScores } from '../src/paradigms/modalityScores';
import { gradientNoise, modulationCoefficients } from '../src/paradigms/ogmGe';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/step';
import { tinyConfig } from './helpers';

test('the coefficient by hand: s_m summed true-class probabilities, rho = s_a / s_b, k = 1 - tanh(alpha rho) for the leader only', async () => {
  await selectBackend('cpu');
  // Two samples, two classes, labels [0, 1]. Modality a: p(y) = 0.8 and 0.7; b: 0.5 and 0.4.
  const logit = (p: number) => Math.log(p / (1 - p));
  const a = tf.tensor2d([[logit(0.8), 0], [0, logit(0.7)]]);
  const b = tf.tensor2d([[logit(0.5), 0], [0, logit(0.4)]]);
  const labels = tf.tensor1d([0, 1], 'int32');
  const scores = trueClassScores([a, b], labels);
  assert.deepEqual(Array.from(scores.dataSync()).map((v) => +v.toFixed(6)), [1.5, 0.9]);
  const k = Array.from(modulationCoefficients(scores, 0.8).dataSync());
  assert.ok(Math.abs(k[0] - (1 - Math.tanh(0.8 * (1.5 / 0.9)))) < 1e-6, `k_a ${k[0]}`);
  assert.equal(k[1], 1, 'the trailing modality is not damped');
  // Three modalities (ours): each against the mean of the others.
  const three = Array.from(modulationCoefficients(tf.tensor1d([3, 1, 2]), 0.5).dataSync());
  assert.ok(Math.abs(three[0] - (1 - Math.tanh(0.5 * 2))) < 1e-6);
  assert.equal(three[1], 1);
  assert.equal(three[2], 1, 'rho = 2 / mean(3, 1) = 1 is not above 1');
  tf.dispose([a, b, labels, scores]);
});

test('the GE noise has zero mean and the gradient\'s standard deviation', async () => {
  await selectBackend('cpu');
  const g = tf.mul(tf.randomNormal([200, 100], 0, 1, 'float32', 3), 0.02);
  const noise = gradientNoise(g, 7);
  const { mean, variance } = tf.moments(noise);
  assert.ok(Math.abs(mean.dataSync()[0]) < 0.001);
  assert.ok(Math.abs(Math.sqrt(variance.dataSync()[0]) / 0.02 - 1) < 0.03, `std ${Math.sqrt(variance.dataSync()[0])}`);
  assert.notDeepEqual(gradientNoise(g, 8).dataSync().slice(0, 5), noise.dataSync().slice(0, 5), 'another seed, other noise');
  tf.dispose([g, noise, mean, variance]);
});

test('one SGD step: the leading modality\'s encoder moves k times as far as without modulation, the rest the same', async () => {
  await selectBackend('cpu');
  const moves: Record<string, Record<string, Float32Array>> = {};
  const k: Record<string, number> = {};
  for (const modulation of ['none', 'ogm'] as const) {
    const config = configFromObject(tinyConfig({ model: { paradigm: 'ogm-ge', modulation, alpha: 0.5, backbone: { hidden: [8], out: 4 } } }), ['train.optimizer.type=sgd', 'train.optimizer.momentum=0']).config;
    const { data } = await prepareForTraining(config);
    const model = buildModel(config, modelSpec(data));
    const stage = model.stages[0];
    const before = model.params.snapshot();
    const s = stepper(model, stage, new Optimizer(config.train.optimizer, model.params, stage.trainable));
    const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 32));
    const metrics = trainStep(s, batch, 0.1);
    for (const m of ['a', 'b']) k[m] = metrics.dataSync()[s.termNames.indexOf(`coeff_${m}`)] / 32;
    moves[modulation] = Object.fromEntries(model.params.names().map((n) => [n, tf.sub(model.params.get(n), before[n]).dataSync() as Float32Array]));
    tf.dispose([metrics, ...Object.values(before)]);
    disposeBatch(batch);
    model.params.dispose();
  }
  assert.equal([k.a, k.b].filter((v) => v < 1).length, 1, `one modality leads on this batch: k ${JSON.stringify(k)}`);
  for (const [name, moved] of Object.entries(moves.ogm)) {
    const factor = name.startsWith('ogm.encoder.a.') ? k.a : name.startsWith('ogm.encoder.b.') ? k.b : 1;
    moved.forEach((v, i) => assert.ok(Math.abs(v - factor * moves.none[name][i]) < 1e-6, `${name}[${i}]: ${v} vs ${factor} x ${moves.none[name][i]}`));
  }
});
