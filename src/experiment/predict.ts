// Batched prediction over a set of samples, copied out of tensors into plain arrays.
import * as tf from '@tensorflow/tfjs-core';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import type { ParadigmModel } from '../paradigms/paradigm';

export interface Predictions {
  indices: Int32Array;
  classes: number;
  /** [n, classes] row-major. */
  probs: Float32Array;
  /** Per modality, where the model has unimodal predictors. */
  unimodal?: Float32Array[];
}

export function predictSamples(model: ParadigmModel, data: Dataset, indices: Int32Array, batchSize: number): Predictions {
  const classes = data.classNames.length;
  const probs = new Float32Array(indices.length * classes);
  let unimodal: Float32Array[] | undefined;
  let offset = 0;
  for (const idx of chunks(indices, batchSize)) {
    const batch = makeBatch(data, idx);
    const out = tf.tidy(() => {
      const p = model.predict(batch.inputs);
      return [p.probs, ...(p.unimodal ?? [])];
    });
    disposeBatch(batch);
    probs.set(out[0].dataSync(), offset * classes);
    if (out.length > 1) {
      unimodal ??= out.slice(1).map(() => new Float32Array(indices.length * classes));
      out.slice(1).forEach((u, m) => unimodal![m].set(u.dataSync(), offset * classes));
    }
    tf.dispose(out);
    offset += idx.length;
  }
  return { indices, classes, probs, unimodal };
}
