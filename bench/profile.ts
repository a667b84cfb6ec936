// Time per kernel: every kernel registered for a backend is wrapped with a timer for the length
// of `work`, then restored. wasm kernels run synchronously, so the time around the call is the
// kernel's (cpu-side dispatch included). The bench's profiles: the conv2d joint step and DMIL's
// stages, per kernel.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import type { Config } from '../src/config/schema';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import { Rng } from '../src/rng';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/step';
import { geometry, im2colTransposed, type HeapBackend } from '../src/backend/wasmConvGrad';
import { dmilMixConfig, fashionConvConfig, fmt, median } from './measure';

export interface KernelTime { kernel: string; calls: number; ms: number }

export async function profileKernels(backend: string, work: () => Promise<void> | void): Promise<KernelTime[]> {
  const kernels = tf.getKernelsForBackend(backend);
  const times = new Map<string, KernelTime>();
  let depth = 0;
  for (const k of kernels) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => {
        // Kernels that call other kernels through the registry count only at the outermost level.
        depth++;
        const t = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          if (depth === 0) {
            const e = times.get(k.kernelName) ?? { kernel: k.kernelName, calls: 0, ms: 0 };
            e.calls++;
            e.ms += performance.now() - t;
            times.set(k.kernelName, e);
          }
        }
      }) as tf.KernelFunc,
    });
  }
  try {
    await work();
  } finally {
    for (const k of kernels) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return [...times.values()].sort((a, b) => b.ms - a.ms);
}

/** Where each stage's training step spends its time on wasm, per kernel (the top 12), with the ops per step. */
async function profileStages(label: string, config: Config): Promise<void> {
  await selectBackend('wasm');
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const train = splitIndices(data, 'train');
  const rng = new Rng(0);
  const bs = config.train.batch_size;
  for (const stage of model.stages) {
    const optimizer = new Optimizer(config.train.optimizer, model.params, stage.trainable);
    const s = stepper(model, stage, optimizer);
    const step = () => {
      const batch = makeBatch(data, Int32Array.from({ length: bs }, () => train[rng.int(train.length)]));
      const r = trainStep(s, batch, 1e-3);
      r.dataSync();
      r.dispose();
      disposeBatch(batch);
    };
    for (let i = 0; i < 5; i++) step();
    const steps = 20;
    const t0 = performance.now();
    const times = await profileKernels('wasm', () => {
      for (let i = 0; i < steps; i++) step();
    });
    const total = performance.now() - t0;
    const ops = times.reduce((a, t) => a + t.calls, 0) / steps;
    console.log(`${label}${model.stages.length > 1 ? ` ${stage.name}` : ''}: training step on wasm per kernel (${steps} steps of batch ${bs}, ${(total / steps).toFixed(1)} ms a step, ${ops.toFixed(0)} kernel calls a step, ${fmt(steps * bs / (total / 1000)).trim()} samples/s under the profiler):`);
    for (const t of times.slice(0, 12)) console.log(`  ${t.kernel.padEnd(24)}${(t.ms / steps).toFixed(2).padStart(8)} ms/step${(100 * t.ms / total).toFixed(1).padStart(7)}%${String(t.calls / steps).padStart(6)} calls/step`);
    optimizer.dispose();
  }
  model.params.dispose();
}

/** The conv2d joint step (Fashion-MNIST halves shapes), per kernel. */
export async function convProfile(): Promise<void> {
  const conv = fashionConvConfig();
  if (!conv) {
    console.log('conv profile: not measured (no Fashion-MNIST: apt-get install dataset-fashion-mnist)');
    return;
  }
  await profileStages('conv2d joint, Fashion-MNIST halves', conv);
}

/** DMIL's three stages on configs/mix.yaml, per kernel: many small ops, where dispatch dominates. */
export async function dmilProfile(): Promise<void> {
  await profileStages('dmil, configs/mix.yaml', dmilMixConfig());
}

/**
 * The conv backbone's layers one by one (Fashion-MNIST halves shapes, batch 128) on the wasm
 * threads this process was started with: the forward convolution and both gradients, in ms and
 * GMAC/s, and the filter gradient's parts: the im2col (a wasm loop), and its matrix product with a
 * right operand seen for the first time (as in training: XNNPACK packs it) and seen before.
 */
export async function convLayers(threads: number): Promise<void> {
  const conv = fashionConvConfig();
  if (!conv) {
    console.log('conv layers: not measured (no Fashion-MNIST: apt-get install dataset-fashion-mnist)');
    return;
  }
  await selectBackend('wasm', { threads });
  const bs = conv.train.batch_size;
  const { channels, kernel: k } = conv.model.backbone;
  // In training every step brings a new dy and new weights, and XNNPACK packs a right operand
  // or filter it has not seen (tfjs caches its operators by tensor). So each timed call gets a
  // new copy of `fresh`, made outside the timing; `fresh` undefined times fn as it is.
  const ms = <T extends tf.Tensor>(fn: (t: T) => tf.TensorInfo | void, fresh?: T, reps = 20): number => {
    const times: number[] = [];
    for (let i = 0; i < reps + 3; i++) {
      // A new tensor with its own data (a clone would share fresh's data, and its operator).
      const operand = fresh ? (tf.tensor(fresh.dataSync(), fresh.shape) as T) : (undefined as unknown as T);
      const t = performance.now();
      const out = fn(operand);
      times.push(performance.now() - t);
      if (out) tf.dispose(out as tf.Tensor);
      if (operand) operand.dispose();
    }
    return median(times.slice(3));
  };
  const rate = (macs: number, t: number) => `${t.toFixed(2).padStart(6)} ms ${(macs / t / 1e6).toFixed(1).padStart(5)} GMAC/s`;
  console.log(`conv2d backbone layer by layer on wasm, ${threads} thread${threads > 1 ? 's' : ''}, batch ${bs} (medians of 20)`);
  let [h, w, cin] = [14, 28, 1];
  for (const [i, cout] of channels.entries()) {
    const s = i === 0 ? 1 : 2;
    const x = tf.randomNormal([bs, h, w, cin]) as tf.Tensor4D;
    const f = tf.randomNormal([k, k, cin, cout]) as tf.Tensor4D;
    const y = tf.conv2d(x, f, s, 'same');
    const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
    const [, oh, ow] = y.shape;
    const macs = bs * oh * ow * cout * k * k * cin;
    const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const g = geometry(x.shape, f.shape, attrs);
    const a = tf.zeros([1, k * k * cin, bs * oh * ow]) as tf.Tensor3D;
    const b = tf.reshape(dy, [1, bs * oh * ow, cout]) as tf.Tensor3D;
    console.log(`  conv${i} [${bs}, ${h}, ${w}, ${cin}] -> ${cout}, stride ${s}, ${(macs / 1e6).toFixed(0)} MMAC`);
    console.log(`    forward          ${rate(macs, ms((w) => tf.conv2d(x, w, s, 'same'), f))}`);
    console.log(`    filter gradient  ${rate(macs, ms((d) => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, { ...attrs, filterShape: f.shape } as unknown as tf.NamedAttrMap) as tf.Tensor, dy))}`);
    console.log(`      im2col         ${ms(() => im2colTransposed(tf.backend() as HeapBackend, x, g, a)).toFixed(2).padStart(6)} ms`);
    console.log(`      product        ${rate(macs, ms((d) => tf.matMul(a, d), b))} (dy new, as in training: XNNPACK packs it)`);
    console.log(`      product again  ${rate(macs, ms(() => tf.matMul(a, b)))} (dy seen before: packed once)`);
    console.log(`    input gradient   ${rate(macs, ms((w) => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor, f))}${i === 0 ? ' (not needed in training: the input is data)' : ''}`);
    tf.dispose([x, f, y, dy, a, b]);
    [h, w, cin] = [oh, ow, cout];
  }
}
