// `npm run bench`: training throughput (samples/s) of each paradigm on each backend that loads,
// and the wasm kernel overrides against stock wasm. Speed is measured here, never in tests.
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { selectBackend, type BackendChoice } from '../src/backend/select';
import { installWasmKernels } from '../src/backend/wasmKernels';
import { readConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/loop';
import { Rng } from '../src/rng';

const root = path.resolve(__dirname, '..', '..');
const WARMUP_STEPS = 30;
const MIN_SECONDS = 3;

/** Samples per second of training steps (forward, backward, update) of every stage of a paradigm. */
async function throughput(config: Config): Promise<Record<string, number>> {
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const train = splitIndices(data, 'train');
  const bs = config.train.batch_size;
  const rng = new Rng(0);
  const out: Record<string, number> = {};
  for (const stage of model.stages) {
    const optimizer = new Optimizer(config.train.optimizer, model.params, stage.trainable);
    const s = stepper(model, stage, optimizer);
    const run = (steps: number) => {
      for (let i = 0; i < steps; i++) {
        const idx = Int32Array.from({ length: bs }, () => train[rng.int(train.length)]);
        const batch = makeBatch(data, idx);
        const r = trainStep(s, batch, 1e-3);
        r.dataSync();
        r.dispose();
        disposeBatch(batch);
      }
    };
    run(WARMUP_STEPS);
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < MIN_SECONDS * 1000) {
      run(5);
      steps += 5;
    }
    out[stage.name] = (steps * bs) / ((performance.now() - t0) / 1000);
    optimizer.dispose();
  }
  model.params.dispose();
  return out;
}

const fmt = (x: number) => x.toFixed(0).padStart(9);

async function main(): Promise<void> {
  const base = readConfigFile(path.join(root, 'configs', 'xor.yaml')).config;
  const paradigms = ['joint', 'ensemble', 'unimodal', 'dmil'] as const;
  console.log(`training throughput on configs/xor.yaml (batch ${base.train.batch_size}), samples/s, >= ${MIN_SECONDS}s per measurement`);
  console.log(`${'backend'.padEnd(12)}${'paradigm'.padEnd(10)}${'stage'.padEnd(17)}samples/s`);
  const results: Record<string, Record<string, number>> = {};
  for (const choice of ['tensorflow', 'wasm', 'cpu'] as BackendChoice[]) {
    try {
      await selectBackend(choice);
    } catch (e) {
      console.log(`${choice.padEnd(12)}not available: ${(e as Error).message}`);
      continue;
    }
    for (const paradigm of paradigms) {
      const config = { ...base, model: { ...base.model, paradigm } };
      const r = await throughput(config);
      results[`${choice}/${paradigm}`] = r;
      for (const [stage, sps] of Object.entries(r)) console.log(`${choice.padEnd(12)}${paradigm.padEnd(10)}${stage.padEnd(17)}${fmt(sps)}`);
    }
  }

  // Overrides against stock wasm on the joint training step.
  await selectBackend('wasm');
  const joint = { ...base, model: { ...base.model, paradigm: 'joint' as const } };
  const withOverrides = (await throughput(joint)).train;
  const restore = installWasmKernels();
  restore();
  const stock = (await throughput(joint)).train;
  installWasmKernels();
  console.log(`\nwasm joint training step: ${withOverrides.toFixed(0)} samples/s with dmil's kernel overrides, ${stock.toFixed(0)} stock: ${(withOverrides / stock).toFixed(1)}x`);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
