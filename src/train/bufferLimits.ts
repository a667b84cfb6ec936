// Before training on a GPU: the largest buffer a training step or an evaluation batch needs,
// against the adapter's limits (WebGPU: maxStorageBufferBindingSize, the most one kernel can bind,
// and maxBufferSize). A batch too large for them fails deep inside a kernel on the GPU; this says
// so in one line before the run starts, with the largest batch that fits.
// The sizes are measured, not modelled: tf.profile of one forward and backward pass (gradients
// computed, not applied: nothing changes) at three small batch sizes gives every kernel output's
// size as a quadratic in the batch (DMIL's pairwise terms are [batch, batch]), read at the
// configured sizes. The parameters, the optimiser's flat moment vectors (every trainable parameter
// of the stage) and the input batch are added.
import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, makeBatch } from '../data/batches';
import { featureSize, splitIndices, type Dataset } from '../data/dataset';
import { UserError } from '../errors';
import type { ParadigmModel } from '../paradigms/paradigm';
import type { TrainConfig } from '../config/schema';

export interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** A buffer's bytes as a function of the batch b: c0 + c1 b + c2 b^2. */
export interface BufferNeed {
  what: string;
  coefficients: [number, number, number];
  /** The batch size it runs at, where a stage sets its own (default: train.batch_size, or eval_batch_size for evaluation). */
  batch?: number;
}

const PROBE_BATCHES = [3, 5, 8] as const;
const BYTES = 4; // float32 and int32: WebGPU has no float64

export const sizeAt = (need: BufferNeed, b: number): number => need.coefficients[0] + need.coefficients[1] * b + need.coefficients[2] * b * b;

/** The quadratic through (x_i, y_i), i = 0, 1, 2, as coefficients [c0, c1, c2]. */
function quadraticThrough(x: readonly number[], y: readonly number[]): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const [j, k] = [0, 1, 2].filter((n) => n !== i);
    const w = y[i] / ((x[i] - x[j]) * (x[i] - x[k]));
    c[0] += w * x[j] * x[k];
    c[1] -= w * (x[j] + x[k]);
    c[2] += w;
  }
  return c;
}

/** The largest batch at which `need` fits in `limit` bytes (0 if none). */
export function largestFittingBatch(need: BufferNeed, limit: number): number {
  let [lo, hi] = [0, 1];
  while (sizeAt(need, hi) <= limit && hi < 2 ** 30) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (sizeAt(need, mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Each kernel output's bytes while `pass` runs (its tensors disposed after). */
async function kernelOutputBytes(pass: () => tf.Tensor | tf.Tensor[]): Promise<number[]> {
  const info = await tf.profile(() => {
    tf.dispose(pass());
    return [] as tf.Tensor[];
  });
  return info.kernels.map((k) => Math.max(0, ...k.outputShapes.map((s) => (s ?? []).reduce((a, b) => a * b, 1) * BYTES)));
}

/** The kernel output of `pass(batch)` that is largest at `batch`, as a quadratic in the batch (fitted at three probe sizes). */
async function largestOutput(what: string, pass: (indices: Int32Array) => tf.Tensor | tf.Tensor[], rows: Int32Array, batch: number): Promise<BufferNeed> {
  const sizes: number[][] = [];
  for (const b of PROBE_BATCHES) sizes.push(await kernelOutputBytes(() => pass(rows.subarray(0, b))));
  if (sizes.some((s) => s.length !== sizes[0].length)) {
    // A different sequence of kernels at the probe sizes: assume the largest grows with the square of the batch.
    const last = PROBE_BATCHES[PROBE_BATCHES.length - 1];
    return { what, coefficients: [0, 0, Math.max(...sizes[sizes.length - 1]) / (last * last)] };
  }
  let best: BufferNeed = { what, coefficients: [0, 0, 0] };
  sizes[0].forEach((_, k) => {
    const need: BufferNeed = { what, coefficients: quadraticThrough(PROBE_BATCHES, sizes.map((s) => s[k])) };
    if (sizeAt(need, batch) > sizeAt(best, batch)) best = need;
  });
  return best;
}

/** The buffers a model needs: per stage, its training step (with its optimiser's moments), and the evaluation pass. */
export async function bufferNeeds(model: ParadigmModel, data: Dataset, train: Pick<TrainConfig, 'batch_size' | 'eval_batch_size'>): Promise<BufferNeed[]> {
  const trainRows = splitIndices(data, 'train');
  const rows = trainRows.length >= PROBE_BATCHES[2] ? trainRows : Int32Array.from(data.labels.keys());
  if (rows.length < PROBE_BATCHES[2]) return [];
  const withBatch = <T extends tf.Tensor | tf.Tensor[]>(idx: Int32Array, f: (b: ReturnType<typeof makeBatch>) => T): T => {
    const batch = makeBatch(data, idx);
    try {
      return f(batch);
    } finally {
      disposeBatch(batch);
    }
  };
  const needs: BufferNeed[] = [];
  for (const stage of model.stages) {
    const vars = model.params.entries(stage.trainable).map(([, v]) => v);
    const batch = stage.train?.batch_size ?? train.batch_size;
    const step = await largestOutput(`stage ${stage.name}: a training step`, (idx) => withBatch(idx, (b) => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => stage.loss(b.inputs, b.labels, true, 0).total, vars);
      return [value, ...Object.values(grads)];
    })), rows, batch);
    needs.push({ ...step, ...(stage.train ? { batch } : {}) });
    // The optimiser keeps its moments as flat vectors over every trainable parameter.
    needs.push({ what: `stage ${stage.name}: the optimiser's moment vector`, coefficients: [vars.reduce((a, v) => a + v.size, 0) * BYTES, 0, 0] });
  }
  needs.push(await largestOutput('an evaluation batch', (idx) => withBatch(idx, (b) => tf.tidy(() => {
    const p = model.predict(b.inputs);
    return [p.probs, ...Object.values(p.unimodal ?? {}), ...Object.values(p.components ?? {}), ...(p.gate ? [p.gate] : [])];
  })), rows, train.eval_batch_size));
  const largestParam = Math.max(0, ...model.params.entries(model.params.names()).map(([, v]) => v.size * BYTES));
  needs.push({ what: 'the largest parameter', coefficients: [largestParam, 0, 0] });
  needs.push({ what: 'the input batch', coefficients: [0, Math.max(...data.modalities.map((m) => featureSize(m) * BYTES)), 0] });
  return needs;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** One line, before training, when a buffer at the configured batch sizes exceeds what the device allows. */
export function checkBufferLimits(needs: BufferNeed[], limits: BufferLimits, train: Pick<TrainConfig, 'batch_size' | 'eval_batch_size'>): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const need of needs) {
    const evaluation = need.what.startsWith('an evaluation');
    const batch = need.batch ?? (evaluation ? train.eval_batch_size : train.batch_size);
    const bytes = sizeAt(need, batch);
    if (bytes <= limit) continue;
    const key = evaluation ? 'train.eval_batch_size' : 'train.batch_size';
    const fits = largestFittingBatch(need, limit);
    throw new UserError(`${need.what} needs a ${mb(bytes)} buffer at ${key} ${batch}; this GPU allows ${mb(limit)} per buffer (maxStorageBufferBindingSize ${mb(limits.maxStorageBufferBindingSize)}, maxBufferSize ${mb(limits.maxBufferSize)})`, {
      where: key,
      hint: fits >= 1 ? `use --set ${key}=${fits} or less` : 'the model is too large for this GPU whatever the batch: use smaller backbones, or --backend wasm',
    });
  }
}
