// PMR (Fan et al., CVPR 2023): the prototypes are the class means of the encoders' representations
// of the samples used (then blended with the previous ones by the momentum), and the loss adds
// alpha times the prototype cross-entropy of the modality whose prototype classifier trails, and
// nothing for the one that leads, which ever of the two it is.
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
import { negativeDistances, rebalanceWeights } from '../src/paradigms/pmr';
import { tinyConfig } from './helpers';

async function pmrModel(settings: Record<string, unknown> = {}) {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'pmr', backbone: { hidden: [], out: 4 }, prototype_share: 1, ...settings } })).config;
  const { data } = await prepareForTraining(config);
  return { config, data, model: buildModel(config, modelSpec(data)) };
}

/** z_m = relu(x W + b) for a one-layer mlp backbone, and each class's mean of it over `rows`. */
function classMeans(model: Awaited<ReturnType<typeof pmrModel>>['model'], data: Awaited<ReturnType<typeof pmrModel>>['data'], m: number, rows: Int32Array): number[][] {
  const name = data.modalities[m].name;
  const batch = makeBatch(data, rows);
  const z = tf.relu(tf.add(tf.matMul(batch.inputs[m], model.params.get(`pmr.encoder.${name}.0.w`)), model.params.get(`pmr.encoder.${name}.0.b`))).arraySync() as number[][];
  const labels = Array.from(batch.labels.dataSync());
  disposeBatch(batch);
  return [0, 1, 2].map((k) => {
    const members = z.filter((_, i) => labels[i] === k);
    return z[0].map((_, j) => members.reduce((s, r) => s + r[j], 0) / members.length);
  });
}

const near = (got: number[][], want: number[][], what: string) =>
  got.forEach((row, k) => row.forEach((v, j) => assert.ok(Math.abs(v - want[k][j]) < 1e-5, `${what} [${k}][${j}]: ${v} vs ${want[k][j]}`)));

test('the prototypes are the class means of the representations, then blended with the old ones by the momentum', async () => {
  const { data, model } = await pmrModel({ momentum: 0.2 });
  const stage = model.stages[0];
  const train = splitIndices(data, 'train');
  const first = train.subarray(0, 60);
  await stage.beforeEpoch!(data, first, 0);
  const p0 = [0, 1].map((m) => model.params.get(`pmr-state.prototypes.${data.modalities[m].name}`).arraySync() as number[][]);
  [0, 1].forEach((m) => near(p0[m], classMeans(model, data, m, first), `epoch 0, modality ${m}`));
  const second = train.subarray(60, 120);
  await stage.beforeEpoch!(data, second, 1);
  [0, 1].forEach((m) => {
    const fresh = classMeans(model, data, m, second);
    near(model.params.get(`pmr-state.prototypes.${data.modalities[m].name}`).arraySync() as number[][], fresh.map((row, k) => row.map((v, j) => 0.8 * v + 0.2 * p0[m][k][j])), `epoch 1, modality ${m}`);
  });
  model.params.dispose();
});

test('the trailing modality gets alpha times its prototype cross-entropy, the leading one nothing, whichever leads', async () => {
  const { data, model } = await pmrModel({ alpha: 0.7 });
  const stage = model.stages[0];
  const rows = splitIndices(data, 'train').subarray(0, 64);
  await stage.beforeEpoch!(data, rows, 0);
  const batch = makeBatch(data, rows);
  const [a, b] = ['a', 'b'].map((n) => model.params.get(`pmr-state.prototypes.${n}`));
  const good = { a: a.clone(), b: b.clone() };
  for (const [lead, trail] of [['a', 'b'], ['b', 'a']]) {
    // The trailing modality's prototypes all at one point: its prototype classifier is uniform, 1/3 per class.
    model.params.get(`pmr-state.prototypes.${lead}`).assign(good[lead as 'a' | 'b']);
    model.params.get(`pmr-state.prototypes.${trail}`).assign(tf.zerosLike(good.a));
    tf.tidy(() => {
      const out = stage.loss(batch.inputs, batch.labels, true, 0);
      const terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, t.dataSync()[0]]));
      assert.equal(terms[`beta_${lead}`], 0, `${lead} leads`);
      assert.ok(Math.abs(terms[`beta_${trail}`] - 0.7) < 1e-6, `${trail} trails`);
      assert.ok(Math.abs(terms[`proto_ce_${trail}`] - Math.log(3)) < 1e-5, 'a uniform prototype classifier');
      const fusedCe = crossEntropy(tf.log(model.predict(batch.inputs).probs) as tf.Tensor2D, batch.labels).dataSync()[0];
      assert.ok(Math.abs(out.total.dataSync()[0] - (fusedCe + 0.7 * terms[`proto_ce_${trail}`])) < 1e-5, 'L = CE(fused) + alpha CE(p_trailing)');
    });
  }
  // Outside the modulation window (epochs 0-100) only the fused cross-entropy remains.
  await stage.beforeEpoch!(data, rows, 101);
  tf.tidy(() => {
    const fusedCe = crossEntropy(tf.log(model.predict(batch.inputs).probs) as tf.Tensor2D, batch.labels).dataSync()[0];
    assert.ok(Math.abs(stage.loss(batch.inputs, batch.labels, true, 0).total.dataSync()[0] - fusedCe) < 1e-5);
  });
  tf.dispose([good.a, good.b]);
  disposeBatch(batch);
  model.params.dispose();
});

test('with entropy_weight, the leading modality\'s prototype entropy is subtracted in the early epochs only', async () => {
  const { data, model } = await pmrModel({ alpha: 0.7, entropy_weight: 0.3, entropy_epochs: 2 });
  const stage = model.stages[0];
  const rows = splitIndices(data, 'train').subarray(0, 64);
  await stage.beforeEpoch!(data, rows, 0);
  const batch = makeBatch(data, rows);
  model.params.get('pmr-state.prototypes.b').assign(tf.zerosLike(model.params.get('pmr-state.prototypes.a')));
  const parts = () => tf.tidy(() => {
    const p = model.predict(batch.inputs);
    const fusedCe = crossEntropy(tf.log(p.probs) as tf.Tensor2D, batch.labels).dataSync()[0];
    const entropyA = tf.mean(tf.neg(tf.sum(tf.mul(p.unimodal!.a, tf.log(p.unimodal!.a)), 1))).dataSync()[0];
    const out = stage.loss(batch.inputs, batch.labels, true, 0);
    return { total: out.total.dataSync()[0], fusedCe, entropyA, protoB: out.terms.proto_ce_b.dataSync()[0] };
  });
  const early = parts();
  assert.ok(early.entropyA > 0.01, 'a\'s prototype classifier is not one-hot');
  assert.ok(Math.abs(early.total - (early.fusedCe + 0.7 * early.protoB - 0.3 * early.entropyA)) < 1e-4, `${JSON.stringify(early)}`);
  // Epoch 2: no longer (the prototypes are recomputed, b's with them: b may now lead or trail).
  await stage.beforeEpoch!(data, rows, 2);
  tf.tidy(() => {
    const out = stage.loss(batch.inputs, batch.labels, true, 0);
    const p = model.predict(batch.inputs);
    const beta = Object.fromEntries(['a', 'b'].map((m) => [m, out.terms[`beta_${m}`].dataSync()[0]]));
    const want = crossEntropy(tf.log(p.probs) as tf.Tensor2D, batch.labels).dataSync()[0] + beta.a * out.terms.proto_ce_a.dataSync()[0] + beta.b * out.terms.proto_ce_b.dataSync()[0];
    assert.ok(Math.abs(out.total.dataSync()[0] - want) < 1e-4);
  });
  disposeBatch(batch);
  model.params.dispose();
});

test('rebalance weights and prototype distances by hand', async () => {
  await selectBackend('cpu');
  assert.deepEqual(Array.from(rebalanceWeights(tf.tensor1d([5, 3]), 2).dataSync()), [0, 2]);
  assert.deepEqual(Array.from(rebalanceWeights(tf.tensor1d([3, 3]), 2).dataSync()), [0, 0], 'a tie rebalances nothing');
  assert.deepEqual(Array.from(rebalanceWeights(tf.tensor1d([1, 4, 2]), 1).dataSync()), [1, 0, 1], 'three modalities: each against the mean of the others');
  const d = negativeDistances(tf.tensor2d([[0, 0], [3, 4]]), tf.tensor2d([[0, 0], [3, 0]])).arraySync();
  [[0, -3], [-5, -4]].forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(d[i][j] - v) < 1e-5, `${i},${j}: ${d[i][j]}`)));
});
