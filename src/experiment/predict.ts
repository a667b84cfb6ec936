// Batched prediction over a set of samples, copied out of tensors into plain arrays.
import * as tf from '@tensorflow/tfjs-core';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import type { ParadigmModel, Prediction } from '../paradigms/paradigm';

export interface Predictions {
  indices: Int32Array;
  classes: number;
  /** [n, classes] row-major. */
  probs: Float32Array;
  /** Per modality, where the model has unimodal predictors. */
  unimodal?: Float32Array[];
  /** Per interaction component (R, U1, U2, S), where the model has them. */
  components?: Record<string, Float32Array>;
  /** Gate weights [n, components], where the model has a gate. */
  gate?: Float32Array;
}

export function predictSamples(model: ParadigmModel, data: Dataset, indices: Int32Array, batchSize: number): Predictions {
  const classes = data.classNames.length;
  const probs = new Float32Array(indices.length * classes);
  let unimodal: Float32Array[] | undefined;
  let components: Record<string, Float32Array> | undefined;
  let gate: Float32Array | undefined;
  let offset = 0;
  for (const idx of chunks(indices, batchSize)) {
    const batch = makeBatch(data, idx);
    // tidy keeps the returned tensors; Prediction is a plain object of them.
    const p = tf.tidy(() => model.predict(batch.inputs) as unknown as tf.TensorContainerObject) as unknown as Prediction;
    disposeBatch(batch);
    probs.set(p.probs.dataSync(), offset * classes);
    if (p.unimodal) {
      unimodal ??= p.unimodal.map(() => new Float32Array(indices.length * classes));
      p.unimodal.forEach((u, m) => unimodal![m].set(u.dataSync(), offset * classes));
    }
    if (p.components) {
      components ??= Object.fromEntries(Object.keys(p.components).map((c) => [c, new Float32Array(indices.length * classes)]));
      for (const [c, t] of Object.entries(p.components)) components[c].set(t.dataSync(), offset * classes);
    }
    if (p.gate) {
      const width = p.gate.shape[1];
      gate ??= new Float32Array(indices.length * width);
      gate.set(p.gate.dataSync(), offset * width);
    }
    tf.dispose([p.probs, ...(p.unimodal ?? []), ...Object.values(p.components ?? {}), ...(p.gate ? [p.gate] : [])]);
    offset += idx.length;
  }
  return { indices, classes, probs, unimodal, components, gate };
}
