// I2MoE (Xin et al., ICML 2025): the interaction losses against hand-computed values for a fixed
// batch; the prediction is the reweighting model's mixture of the experts, and the gate and
// components come out in DMIL's order (R, U_a, U_b, S); and a training step draws new noise for
// the replaced modality each step. The effect on configs/mix.yaml (more weight on the synergy
// expert for S samples than for R samples) is an integration test (test/integration/comparisonEffects.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import { interactionLosses } from '../src/paradigms/i2moe';
import { tinyConfig } from './helpers';

const row = (...v: number[]) => tf.tensor2d([v]);

test('the interaction losses by hand: triplet margins for uniqueness, cosine for synergy, 1 - cosine for redundancy', async () => {
  await selectBackend('cpu');
  const losses = interactionLosses([
    // Uniqueness of a: anchor [1, 0], a replaced (negative) [0, 1], b replaced (positive) [1, 1]: max(0, 1 - sqrt 2 + 1).
    { full: row(1, 0), replaced: [row(0, 1), row(1, 1)] },
    // Uniqueness of b: anchor [0, 2], b replaced (negative) [0, 2], a replaced (positive) [2, 0]: max(0, 2 sqrt 2 - 0 + 1).
    { full: row(0, 2), replaced: [row(2, 0), row(0, 2)] },
    // Synergy: cos([1, 0], [1, 1]) = 1/sqrt 2 and cos([1, 0], [0, 1]) = 0: mean 1 / (2 sqrt 2).
    { full: row(1, 0), replaced: [row(1, 1), row(0, 1)] },
    // Redundancy: 1 - cos = 0 for [3, 4] itself and 2 for [-3, -4]: mean 1.
    { full: row(3, 4), replaced: [row(3, 4), row(-3, -4)] },
  ]).map((l) => l.dataSync()[0]);
  const want = [2 - Math.SQRT2, 2 * Math.SQRT2 + 1, 1 / (2 * Math.SQRT2), 1];
  want.forEach((w, i) => assert.ok(Math.abs(losses[i] - w) < 1e-5, `loss ${i}: ${losses[i]} vs ${w}`));
});

test('the prediction is the reweighting model\'s mixture of the experts; gate and components in DMIL\'s order; fresh noise each step', async () => {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'i2moe', backbone: { hidden: [8], out: 4 } } })).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 16));
  tf.tidy(() => {
    const p = model.predict(batch.inputs);
    assert.deepEqual(Object.keys(p.components!), ['R', 'U_a', 'U_b', 'S']);
    assert.deepEqual(p.gate!.shape, [16, 4]);
    assert.ok(tf.max(tf.abs(tf.sub(tf.sum(p.gate!, 1), 1))).dataSync()[0] < 1e-5, 'weights sum to 1');
    // The experts' logits are log-probabilities plus a per-row constant each; the mixture of logits is
    // therefore softmax(sum_e w_e log p_e) up to a per-row constant.
    const gate = tf.unstack(p.gate!, 1);
    const mixed = tf.softmax(tf.addN(Object.values(p.components!).map((c, i) => tf.mul(tf.log(c), tf.expandDims(gate[i], 1)))));
    assert.ok(tf.max(tf.abs(tf.sub(mixed, p.probs))).dataSync()[0] < 1e-5, 'prediction = softmax(sum_e w_e f_e)');
    // With the reweighting model's last layer set so that the synergy expert takes all the weight, the prediction is the synergy expert's.
    const stage = model.stages[0];
    const a = stage.loss(batch.inputs, batch.labels, true, 0).terms;
    const b = stage.loss(batch.inputs, batch.labels, true, 1).terms;
    const again = stage.loss(batch.inputs, batch.labels, true, 0).terms;
    assert.notEqual(a.interaction_synergy.dataSync()[0], b.interaction_synergy.dataSync()[0], 'another step, other noise');
    assert.equal(a.interaction_synergy.dataSync()[0], again.interaction_synergy.dataSync()[0], 'the same step, the same noise (resume replays it)');
  });
  const [w, bias] = model.params.names(['i2moe.reweight']).slice(-2);
  model.params.get(w).assign(tf.zerosLike(model.params.get(w)));
  model.params.get(bias).assign(tf.tensor1d([0, 0, 50, 0]));
  tf.tidy(() => {
    const p = model.predict(batch.inputs);
    assert.ok(tf.max(tf.abs(tf.sub(p.probs, p.components!.S))).dataSync()[0] < 1e-5, 'expert 3 (K + 1) is the synergy expert, shown as S');
    assert.ok(tf.min(tf.unstack(p.gate!, 1)[3]).dataSync()[0] > 0.999, 'and its weight is the S column of the gate');
  });
  disposeBatch(batch);
  model.params.dispose();
});
