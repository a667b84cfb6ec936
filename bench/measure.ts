// What the bench's measurements share: where the repository is, the configs measured, and the
// training-step throughput of a config's stages on the backend in use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import { Rng } from '../src/rng';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/step';

export const root = path.resolve(__dirname, '..', '..');

/** Warm-up (JIT, kernel caches) until either bound is reached; then measure for MIN_SECONDS. */
const WARMUP_STEPS = 30;
const WARMUP_SECONDS = 1.5;
export const MIN_SECONDS = 3;

/** Samples per second of training steps (forward, backward, update) of every stage of a paradigm. */
export async function throughput(config: Config): Promise<Record<string, number>> {
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
    const warm = performance.now();
    for (let i = 0; i < WARMUP_STEPS && performance.now() - warm < WARMUP_SECONDS * 1000; i++) run(1);
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < MIN_SECONDS * 1000) {
      run(1);
      steps += 1;
    }
    out[stage.name] = (steps * bs) / ((performance.now() - t0) / 1000);
    optimizer.dispose();
  }
  model.params.dispose();
  return out;
}

export const fmt = (x: number) => x.toFixed(0).padStart(9);

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** configs/mix.yaml with --set overrides. */
export const mixConfig = (sets: string[] = []): Config => readConfigFile(path.join(root, 'configs', 'mix.yaml'), sets).config;

/** DMIL on configs/mix.yaml with all three of its stages, so finetune's step is measured too. */
export const dmilMixConfig = (): Config => mixConfig(['model.dmil.stages=[{name: decompose-intra}, {name: decompose-cross}, {name: finetune}]']);

/**
 * The joint model with conv2d backbones on Fashion-MNIST halves (two [14, 28, 1] inputs, 3,000
 * training images); undefined when the data is not installed (apt-get install dataset-fashion-mnist).
 */
export function fashionConvConfig(): Config | undefined {
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  if (fashion.data.source !== 'idx' || !fs.existsSync(fashion.data.images)) return undefined;
  return { ...fashion, data: { ...fashion.data, limit: 3000 }, model: { ...fashion.model, backbone: { ...fashion.model.backbone, type: 'conv2d' as const } } };
}
