// The GPU buffer check before training: sizes measured at two small batches and extrapolated
// match a measurement at the real batch, the check refuses a batch that does not fit with the
// largest that does, measuring changes nothing, and a refused run leaves no folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { trainNew } from '../src/experiment/train';
import { UserError } from '../src/errors';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import { bufferNeeds, checkBufferLimits, largestFittingBatch, sizeAt } from '../src/train/bufferLimits';
import { tinyConfig, tmpDir } from './helpers';

const setup = async (paradigm: string) => {
  await selectBackend('wasm');
  const config = configFromObject(tinyConfig({ model: { paradigm, backbone: { hidden: [16], out: 8 } } })).config;
  const { data } = await prepareForTraining(config);
  return { config, data, model: buildModel(config, modelSpec(data)) };
};

for (const paradigm of ['joint', 'dmil']) {
  test(`${paradigm}: the largest buffer of a training step, extrapolated from batches of 3, 5 and 8, is the one measured at 64`, async () => {
    const { data, model } = await setup(paradigm);
    const needs = await bufferNeeds(model, data, { batch_size: 64, eval_batch_size: 64 });
    const stage = model.stages[0];
    const need = needs.find((n) => n.what.startsWith(`stage ${stage.name}: a training step`))!;
    const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 64));
    const vars = model.params.entries(stage.trainable).map(([, v]) => v);
    const info = await tf.profile(() => {
      tf.tidy(() => tf.variableGrads(() => stage.loss(batch.inputs, batch.labels, true, 0).total, vars));
      return [] as tf.Tensor[];
    });
    disposeBatch(batch);
    const measured = Math.max(...info.kernels.map((k) => Math.max(0, ...k.outputShapes.map((s) => (s ?? []).reduce((a, b) => a * b, 1) * 4))));
    assert.ok(Math.abs(sizeAt(need, 64) - measured) < 1e-6 * measured, `${sizeAt(need, 64)} vs ${measured}`);
    assert.ok(sizeAt(need, 128) > sizeAt(need, 64), 'a training step grows with the batch');
    model.params.dispose();
  });
}

test('measuring the buffers changes no weight and leaves no tensor behind', async () => {
  const { data, model } = await setup('dmil');
  const before = model.params.entries().map(([n, v]) => [n, Array.from(v.dataSync())]);
  const tensors = tf.memory().numTensors;
  await bufferNeeds(model, data, { batch_size: 32, eval_batch_size: 64 });
  assert.equal(tf.memory().numTensors, tensors);
  assert.deepEqual(model.params.entries().map(([n, v]) => [n, Array.from(v.dataSync())]), before);
  model.params.dispose();
});

test('checkBufferLimits: a batch whose buffer does not fit is one line naming the key and the largest batch that fits', () => {
  const needs = [{ what: 'stage s: a training step', coefficients: [1000, 4000, 0] as [number, number, number] }, { what: 'an evaluation batch', coefficients: [0, 100, 0] as [number, number, number] }];
  const limits = { maxStorageBufferBindingSize: 100_000, maxBufferSize: 1e9 };
  checkBufferLimits(needs, limits, { batch_size: 24, eval_batch_size: 1000 });
  assert.throws(() => checkBufferLimits(needs, limits, { batch_size: 25, eval_batch_size: 1000 }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.where, 'train.batch_size');
    assert.match(e.message, /stage s: a training step needs a 0\.1 MiB buffer at train\.batch_size 25; this GPU allows 0\.1 MiB per buffer/);
    assert.match(e.hint ?? '', /--set train\.batch_size=24 or less/);
    return true;
  });
  assert.throws(() => checkBufferLimits(needs, limits, { batch_size: 8, eval_batch_size: 1001 }), /train\.eval_batch_size 1001/);
  // The smaller of the two limits counts; a stage with its own batch size is checked at it.
  assert.throws(() => checkBufferLimits(needs, { maxStorageBufferBindingSize: 1e9, maxBufferSize: 50_000 }, { batch_size: 24, eval_batch_size: 8 }), /allows 0\.0 MiB/);
  assert.throws(() => checkBufferLimits([{ ...needs[0], batch: 64 }], limits, { batch_size: 8, eval_batch_size: 8 }), /train\.batch_size 64/);
  // A pairwise [b, b] term: 4 b^2 bytes fit 100,000 up to b = 158.
  assert.equal(largestFittingBatch({ what: 'pairs', coefficients: [0, 0, 4] }, 100_000), 158);
});

test('train on a GPU whose buffers are too small for the batch: refused before the run folder exists', async () => {
  const backend = await selectBackend('wasm');
  const runsDir = tmpDir('buffers');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'joint', backbone: { hidden: [16], out: 8 } } })).config;
  const gpu = { ...backend, adapter: { vendor: 'test', architecture: '', device: '', description: 'a GPU with 1 KiB buffers', software: false, limits: { maxBufferSize: 1024, maxStorageBufferBindingSize: 1024, maxComputeWorkgroupStorageSize: 16384 } } };
  await assert.rejects(trainNew(config, { runsDir, backend: gpu, logger: silentLogger, command: [] }), (e: unknown) => e instanceof UserError && /this GPU allows 0\.0 MiB per buffer/.test(e.message));
  assert.deepEqual(fs.readdirSync(runsDir), []);
});
