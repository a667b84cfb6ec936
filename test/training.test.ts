import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { prepareForTraining, modelSpec } from '../src/experiment/data';
import { checkpointClock, trainNew, trainResume } from '../src/experiment/train';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import { readMeta } from '../src/runs/meta';
import { readMetrics } from '../src/runs/metricsFile';
import { describeEpochTime, epochTime, sumEpochTimes } from '../src/train/epochTime';
import { runStage } from '../src/train/loop';
import { tinyConfig, tmpDir } from './helpers';

const withoutTiming = (file: string) => readMetrics(file).map((r) => {
  const { epoch_seconds: _, ...values } = r.values;
  return { ...r, values };
});

test('the number of live tensors stays flat across epochs and returns to where it started', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const config = configFromObject(tinyConfig({ model: { paradigm: 'ensemble', backbone: { hidden: [16], out: 8 } } }), ['train.epochs=5']).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const counts: number[] = [];
  for (const stage of model.stages) {
    const perStage: number[] = [];
    await runStage({ stage, model, data, train: config.train, seed: 1, logger: silentLogger, onEpochEnd: async (snap) => void (snap && snap() && perStage.push(tf.memory().numTensors)) });
    counts.push(...perStage.slice(1));
    assert.equal(new Set(perStage.slice(1)).size, 1, `tensor counts across epochs of ${stage.name}: ${perStage}`);
  }
  model.params.dispose();
  assert.equal(tf.memory().numTensors, before);
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`same seed, same backend (${backend}): identical losses and metrics`, async () => {
    const report = await selectBackend(backend);
    const runsDir = tmpDir(`det-${backend}`);
    const config = configFromObject(tinyConfig()).config;
    const a = await trainNew(config, { runsDir, backend: report, logger: silentLogger, command: [] });
    const b = await trainNew(config, { runsDir, backend: report, logger: silentLogger, command: [] });
    assert.notEqual(a.id, b.id);
    const rowsA = withoutTiming(path.join(a.dir, 'metrics.csv'));
    assert.equal(rowsA.length, 7, 'epoch 0 (the incoming model) on val, then train and val for each of 3 epochs');
    assert.deepEqual(withoutTiming(path.join(b.dir, 'metrics.csv')), rowsA);
    assert.deepEqual(b.test, { ...a.test, run: b.id });
  });
}

test('an interrupted run resumes from its last finished epoch and ends exactly like an uninterrupted one', async () => {
  const report = await selectBackend('wasm');
  const runsDir = tmpDir('resume');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'ensemble', backbone: { hidden: [16], out: 8 } } }), ['train.epochs=4', 'train.checkpoint_seconds=0']).config;
  const straight = await trainNew(config, { runsDir, backend: report, logger: silentLogger, command: [] });

  // Stop in the middle of the second member's second epoch.
  let calls = 0;
  const stepsPerEpoch = Math.ceil(straight.val.samples === 0 ? 1 : 168 / 32);
  const stopAt = 4 * stepsPerEpoch + stepsPerEpoch + 2;
  let id = '';
  let dir = '';
  await assert.rejects(
    trainNew(config, {
      runsDir, backend: report, logger: silentLogger, command: [],
      interrupted: () => ++calls > stopAt,
      onRunFolder: (i, d) => { id = i; dir = d; },
    }),
    /interrupted/,
  );
  const meta = readMeta(dir);
  assert.equal(meta.status, 'interrupted');
  assert.deepEqual(meta.stages_done, ['member-a']);
  assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'resume', 'model.json')));

  const resumed = await trainResume(id, dir, { runsDir, backend: report, logger: silentLogger, command: [] });
  assert.equal(readMeta(dir).status, 'done');
  assert.deepEqual(withoutTiming(path.join(dir, 'metrics.csv')), withoutTiming(path.join(straight.dir, 'metrics.csv')));
  assert.deepEqual(resumed.test, { ...straight.test, run: id });
  assert.ok(!fs.existsSync(path.join(dir, 'checkpoints', 'resume')));
});

test('a stage that only makes the prediction worse keeps the model it started from (epoch 0), bit for bit', async () => {
  await selectBackend('wasm');
  const config = configFromObject(tinyConfig(), ['train.epochs=4']).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const [stage] = model.stages;
  const first = await runStage({ stage, model, data, train: config.train, seed: 1, logger: silentLogger });
  assert.ok(first.bestEpoch > 0, 'from random weights, training helps');
  const incoming = Object.fromEntries(model.params.entries().map(([n, v]) => [n, v.dataSync().slice()]));
  // The same stage again at an absurd learning rate: every epoch is worse on val_ce.
  const wild = { ...config.train, optimizer: { ...config.train.optimizer, type: 'sgd' as const, lr: 3 }, early_stop: { ...config.train.early_stop, patience: 0 } };
  const second = await runStage({ stage, model, data, train: wild, seed: 2, logger: silentLogger });
  assert.equal(second.epochs, 4);
  assert.equal(second.bestEpoch, 0);
  assert.deepEqual(second.best, second.incoming);
  for (const [n, v] of model.params.entries()) assert.deepEqual(v.dataSync(), incoming[n], `${n} is back to the incoming value`);
  model.params.dispose();
});

test('the resume checkpoint is written once checkpoint_seconds have passed since the last one; 0 writes every epoch', () => {
  let now = 0;
  const clock = checkpointClock(30, () => now);
  const due: boolean[] = [];
  for (const t of [10, 29.9, 30, 45, 60.5, 61]) {
    now = t * 1000;
    const d = clock.due();
    due.push(d);
    if (d) clock.written();
  }
  assert.deepEqual(due, [false, false, true, false, true, false]);
  const every = checkpointClock(0, () => now);
  assert.ok(every.due() && every.due());
});

test('an epoch\'s time splits into steps, the rest of the pass, validation and writes', () => {
  const t = epochTime(0.17, 0.18, 0.012, 0.024, 0.216);
  assert.ok(Math.abs(t.loop - 0.01) < 1e-12);
  assert.equal(describeEpochTime(t), '0.216 s: steps 0.170 (79%), rest of the pass 0.010, validation 0.012, metrics and checkpoint 0.024; wall / steps 1.27');
  const sum = sumEpochTimes([t, t]);
  assert.ok(Math.abs(sum.wall - 0.432) < 1e-12 && Math.abs(sum.steps - 0.34) < 1e-12);
});

test('with checkpoints far apart, an interrupted stage starts again and the run still ends exactly like an uninterrupted one', async () => {
  const report = await selectBackend('wasm');
  const runsDir = tmpDir('resume-throttled');
  const config = configFromObject(tinyConfig(), ['train.epochs=4', 'train.checkpoint_seconds=3600']).config;
  const straight = await trainNew(config, { runsDir, backend: report, logger: silentLogger, command: [] });
  let calls = 0;
  let dir = '';
  let id = '';
  await assert.rejects(trainNew(config, { runsDir, backend: report, logger: silentLogger, command: [], interrupted: () => ++calls > 14, onRunFolder: (i, d) => { id = i; dir = d; } }), /interrupted/);
  assert.ok(!fs.existsSync(path.join(dir, 'checkpoints', 'resume', 'model.json')), 'no resume checkpoint within the hour');
  assert.ok(readMetrics(path.join(dir, 'metrics.csv')).some((r) => r.epoch >= 1), 'metrics.csv is still written every epoch');
  const resumed = await trainResume(id, dir, { runsDir, backend: report, logger: silentLogger, command: [] });
  const rows = (d: string) => readMetrics(path.join(d, 'metrics.csv')).map((r) => ({ ...r, values: { ...r.values, epoch_seconds: 0 } }));
  assert.deepEqual(rows(dir), rows(straight.dir));
  assert.deepEqual({ ...resumed.test, run: '' }, { ...straight.test, run: '' });
});
