// Device memory over a run, on the default backend (wasm with dmil's kernels): for every paradigm
// and every stage, the tensor count and the bytes after each epoch equal those after the stage's
// first epoch, and every stage gives back everything it took (data ids included); reading a run
// back (eval, decompose, report, pid with both estimators) leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { evaluateSplits } from '../src/experiment/evaluate';
import { predictSamples } from '../src/experiment/predict';
import { loadFinishedRun } from '../src/experiment/runModel';
import { trainNew } from '../src/experiment/train';
import { interactionScores } from '../src/analysis/interactionScores';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import { measurePid } from '../src/pid/measure';
import { readRunInput } from '../src/report/inputs';
import { splitIndices } from '../src/data/dataset';
import { runStage } from '../src/train/loop';
import { everyParadigm, tinyConfig, tmpDir } from './helpers';

interface Memory { tensors: number; bytes: number; dataIds: number }
const memory = (): Memory => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, dataIds: tf.engine().backend.numDataIds() });

const PARADIGMS = [...everyParadigm('b'), { paradigm: 'joint', backbone: { type: 'gru', units: 8, out: 8 } }];

for (const model of PARADIGMS) {
  test(`${model.paradigm}${model.backbone ? ` (${model.backbone.type} backbones)` : ''}: tensors and bytes flat across the epochs of every stage; tensors, bytes and data ids back to the start after each`, async () => {
    await selectBackend('wasm');
    const config = configFromObject(tinyConfig({ model: { ...model, backbone: model.backbone ?? { hidden: [16], out: 8 } }, train: { epochs: 4, batch_size: 32, early_stop: { patience: 0 } } })).config;
    const { data } = await prepareForTraining(config);
    const start = memory();
    const m = buildModel(config, modelSpec(data));
    const withModel = memory();
    for (const stage of m.stages) {
      const epochs: Memory[] = [];
      await runStage({ stage, model: m, data, train: stage.train ?? config.train, seed: 1, logger: silentLogger, onEpochEnd: async (_, rows) => void (rows.some((r) => r.split === 'train') && epochs.push(memory())) });
      assert.equal(epochs.length, stage.train?.epochs ?? config.train.epochs, `${stage.name}: an entry per epoch`);
      // Tensors and bytes; data ids count buffers, which the best epoch's snapshot shares with the
      // weights until a step replaces them, so they may move between two values without a leak.
      for (const [i, e] of epochs.entries()) assert.deepEqual({ tensors: e.tensors, bytes: e.bytes }, { tensors: epochs[0].tensors, bytes: epochs[0].bytes }, `${stage.name}: epoch ${i + 1} against epoch 1`);
      assert.deepEqual(memory(), withModel, `${stage.name} gave back what it took`);
    }
    m.params.dispose();
    assert.deepEqual(memory(), start);
  });
}

test('eval, decompose, report and pid on a finished DMIL run leave no tensor, byte or data id behind', async () => {
  const backend = await selectBackend('wasm');
  const base = tinyConfig();
  const config = configFromObject(tinyConfig({ data: { ...(base.data as object), samples: 600 }, model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 } }, train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } }, pid: { bootstrap: 5, batch: { epochs: 1 } } })).config;
  const run = await trainNew(config, { runsDir: tmpDir('leaks'), backend, logger: silentLogger, command: [] });
  const start = memory();
  const withRun = async (use: (loaded: Awaited<ReturnType<typeof loadFinishedRun>>) => Promise<unknown>) => {
    const loaded = await loadFinishedRun(run.id, run.dir);
    try {
      await use(loaded);
    } finally {
      loaded.model.params.dispose();
    }
  };
  await withRun((l) => evaluateSplits({ runId: run.id, runDir: run.dir, model: l.model, data: l.data, batchSize: 64, seed: 1, save: false }, [{ split: 'test' }, { split: 'val' }]));
  assert.deepEqual(memory(), start, 'eval');
  await withRun(async (l) => interactionScores(await predictSamples(l.model, l.data, splitIndices(l.data, 'test'), 64)));
  assert.deepEqual(memory(), start, 'decompose');
  const report = await readRunInput(run.id, run.dir, async () => undefined);
  assert.ok(report.predictions, 'the report read the run\'s predictions');
  assert.deepEqual(memory(), start, 'report');
  await withRun((l) => measurePid({ config: l.config, data: l.data, estimators: ['exact', 'batch'], pointwise: true, logger: silentLogger }));
  assert.deepEqual(memory(), start, 'pid');
});
