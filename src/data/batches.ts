// Turning sample indices into tensors: one [batch, features] tensor per modality and a label
// tensor. The caller owns (and disposes) what it gets.
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from './dataset';
import { featureSize } from './dataset';

export interface Batch {
  inputs: tf.Tensor2D[];
  labels: tf.Tensor1D;
  size: number;
  /** The dataset rows the batch holds, in order (per-sample state such as QMF's loss history). */
  rows: Int32Array;
}

export function makeBatch(d: Dataset, indices: ArrayLike<number>): Batch {
  const inputs = d.modalities.map((m) => {
    const f = featureSize(m);
    const buf = new Float32Array(indices.length * f);
    for (let r = 0; r < indices.length; r++) buf.set(m.values.subarray(indices[r] * f, indices[r] * f + f), r * f);
    return tf.tensor2d(buf, [indices.length, f]);
  });
  const labels = tf.tensor1d(Int32Array.from({ length: indices.length }, (_, r) => d.labels[indices[r]]), 'int32');
  return { inputs, labels, size: indices.length, rows: Int32Array.from(indices) };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([...b.inputs, b.labels]);
}

/** Consecutive chunks of `indices` of at most `size`. */
export function* chunks(indices: Int32Array, size: number): Generator<Int32Array> {
  for (let s = 0; s < indices.length; s += size) yield indices.subarray(s, Math.min(s + size, indices.length));
}
