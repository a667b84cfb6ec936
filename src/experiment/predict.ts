// Batched prediction over a set of samples, copied out of tensors into one plain record that
// eval, decompose and compare all read: the samples (ids, labels, types), the final
// probabilities, and whichever named parts the paradigm predicts (unimodal predictors,
// interaction components, gate).
import * as tf from '@tensorflow/tfjs-core';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import type { ParadigmModel, Prediction } from '../paradigms/paradigm';
import type { Predictions } from '../analysis/predictions';
import { classPrior } from './data';

export type { Predictions };


const tensorsOf = (p: Prediction): tf.Tensor[] =>
  [p.probs, ...Object.values(p.unimodal ?? {}), ...Object.values(p.components ?? {}), ...(p.gate ? [p.gate] : [])];

/** Copies each named [batch, width] tensor into its [n, width] array at row `offset`. */
export function collectRows(into: Record<string, Float32Array> | undefined, parts: Record<string, tf.Tensor2D> | undefined, n: number, offset: number): Record<string, Float32Array> | undefined {
  if (!parts) return into;
  const out = into ?? {};
  for (const [name, t] of Object.entries(parts)) {
    const width = t.shape[1];
    out[name] ??= new Float32Array(n * width);
    out[name].set(t.dataSync(), offset * width);
  }
  return out;
}

export function predictSamples(model: ParadigmModel, data: Dataset, indices: Int32Array, batchSize: number): Predictions {
  const n = indices.length;
  let whole: Record<string, Float32Array> | undefined;
  let unimodal: Record<string, Float32Array> | undefined;
  let components: Record<string, Float32Array> | undefined;
  let offset = 0;
  for (const idx of chunks(indices, batchSize)) {
    const batch = makeBatch(data, idx);
    // tidy keeps the returned tensors; Prediction is a plain object of them.
    const p = tf.tidy(() => model.predict(batch.inputs) as unknown as tf.TensorContainerObject) as unknown as Prediction;
    disposeBatch(batch);
    whole = collectRows(whole, { probs: p.probs, ...(p.gate ? { gate: p.gate } : {}) }, n, offset);
    unimodal = collectRows(unimodal, p.unimodal, n, offset);
    components = collectRows(components, p.components, n, offset);
    tf.dispose(tensorsOf(p));
    offset += idx.length;
  }
  const classes = data.classNames.length;
  return {
    indices,
    ids: Array.from(indices, (i) => data.ids[i]),
    labels: Int32Array.from(indices, (i) => data.labels[i]),
    ...(data.unlabelled ? { unlabelled: true } : {}),
    types: data.types ? Array.from(indices, (i) => data.types![i]) : undefined,
    groups: data.groups ? Array.from(indices, (i) => data.groups![i]) : undefined,
    classNames: data.classNames,
    classes,
    prior: classPrior(data),
    probs: whole?.probs ?? new Float32Array(0),
    unimodal,
    components,
    gate: whole?.gate,
  };
}
