// QMF (Zhang et al., ICML 2023): the ranking loss and the history's normalisation against
// hand-computed values; the prediction is the confidence-weighted sum of the modalities' logits;
// a training step adds each sample's loss to its own row of the history and no other. The effect
// that defines the method (a modality replaced by noise at test time gets a lower fusion weight
// than the clean one, seeds 1-3) is in test/integration/comparisonEffects.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { perSampleCrossEntropy } from '../src/models/losses';
import { buildModel } from '../src/paradigms';
import { energyConfidence, normaliseHistory, rankingLoss } from '../src/paradigms/qmf';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/step';
import { tinyConfig } from './helpers';

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) < tol;

test('the ranking loss by hand: a sample with the worse history may not be the more confident by more than the margin', async () => {
  await selectBackend('cpu');
  // Pairs (0,1), (1,2), (2,0); histories 1, 0, 0.5; confidences 2.0, 0.1, 0.5.
  // (0,1): t = 1, margin 1: max(0, 2.0 - 0.1 - 1) = 0.9. (1,2): t = -1, margin 0.5: max(0, -(0.1 - (0.5 - 0.5))) = 0.
  // (2,0): t = -1, margin 0.5: max(0, -(0.5 - (2.0 - 0.5))) = 1.0. Mean 1.9 / 3.
  const loss = rankingLoss(tf.tensor1d([2.0, 0.1, 0.5]), tf.tensor1d([1, 0, 0.5]));
  assert.ok(close(loss.dataSync()[0], 1.9 / 3), `${loss.dataSync()[0]}`);
  // Equal histories give no ranking at all.
  assert.equal(rankingLoss(tf.tensor1d([3, 0, 1]), tf.tensor1d([0.2, 0.2, 0.2])).dataSync()[0], 0);
  // The history is normalised over the training rows only: rows 0-2 train (5, 1, 3), row 3 not.
  const h = normaliseHistory(tf.tensor1d([5, 1, 3, 0]), tf.tensor1d([1, 1, 1, 0]));
  assert.deepEqual(Array.from(h.dataSync()), [1, 0, 0.5, -0.25]);
  assert.deepEqual(Array.from(normaliseHistory(tf.tensor1d([2, 2]), tf.tensor1d([1, 1])).dataSync()), [0, 0]);
  // The confidence: scale x logsumexp, log(e^1 + e^1) = 1 + log 2.
  assert.ok(close(energyConfidence(tf.tensor2d([[1, 1]]), 0.1).dataSync()[0], 0.1 * (1 + Math.log(2))));
});

test('a training step adds each sample\'s cross-entropy to its own row of its modality\'s history, and only there', async () => {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'qmf', backbone: { hidden: [8], out: 4 } } }), ['train.optimizer.type=sgd']).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const stage = model.stages[0];
  const rows = splitIndices(data, 'train').subarray(5, 21);
  const batch = makeBatch(data, rows);
  const want = tf.tidy(() => {
    const p = model.predict(batch.inputs);
    // The prediction is softmax(sum_m w_m f_m): with f_m = log p_m + a per-row constant, softmax(sum_m w_m log p_m).
    const w = tf.unstack(p.modalityWeights!, 1);
    const fused = tf.softmax(tf.addN(['a', 'b'].map((m, i) => tf.mul(tf.log(p.unimodal![m]), tf.expandDims(w[i], 1)))));
    assert.ok(tf.max(tf.abs(tf.sub(fused, p.probs))).dataSync()[0] < 1e-5, 'the fused prediction weighs each modality by its confidence');
    return p.unimodal!;
  });
  const ce = Object.fromEntries(Object.entries(want).map(([m, p]) => [m, perSampleCrossEntropy(tf.log(p) as tf.Tensor2D, batch.labels).dataSync()]));
  const s = stepper(model, stage, new Optimizer(config.train.optimizer, model.params, stage.trainable));
  tf.dispose(trainStep(s, batch, 0.01));
  for (const m of ['a', 'b']) {
    const history = model.params.get(`qmf-state.history.${m}`).dataSync();
    assert.equal(history.length, data.labels.length);
    rows.forEach((r, i) => assert.ok(close(history[r], ce[m][i], 1e-5), `${m} row ${r}: ${history[r]} vs ${ce[m][i]}`));
    assert.equal(history.filter((v) => v !== 0).length, rows.length, 'no other row changes');
  }
  assert.ok(!stage.trainable.some((n) => n.startsWith('qmf-state')), 'the history is not trained by gradients');
  assert.equal(model.params.count(), model.params.names(['qmf']).reduce((s, n) => s + model.params.get(n).size, 0), 'nor counted among the parameters');
  tf.dispose(Object.values(want));
  disposeBatch(batch);
  model.params.dispose();
});
