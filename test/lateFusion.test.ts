// The late-fusion paradigm: per-modality heads whose logits are summed with learned weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import { runStage } from '../src/train/loop';
import { tinyConfig } from './helpers';

test('late-fusion predicts softmax(sum_m w_m l_m) with learned weights w = softmax(a), and reports its per-modality heads', async () => {
  await selectBackend('wasm');
  const config = configFromObject(tinyConfig(), ['model.paradigm=late-fusion', 'train.epochs=3']).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const before = model.params.get('late.weights').dataSync().slice();
  const out = await runStage({ stage: model.stages[0], model, data, train: config.train, seed: 1, logger: silentLogger });
  assert.ok(out.bestEpoch > 0);
  assert.notDeepEqual(model.params.get('late.weights').dataSync(), before, 'the modality weights are learned');
  tf.tidy(() => {
    const inputs = data.modalities.map((m) => tf.tensor2d(m.values.subarray(0, 5 * m.shape[0]), [5, m.shape[0]]));
    const p = model.predict(inputs);
    assert.deepEqual(Object.keys(p.unimodal ?? {}), ['a', 'b']);
    const w = tf.softmax(model.params.get('late.weights')).dataSync();
    // Recover each head's logits up to a per-row constant from its probabilities, and fuse them again.
    const fused = tf.addN(['a', 'b'].map((m, i) => tf.mul(tf.log(p.unimodal![m]), w[i])));
    assert.ok(tf.max(tf.abs(tf.sub(tf.softmax(fused), p.probs))).dataSync()[0] < 1e-5);
  });
  model.params.dispose();
});
