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
  [p.probs, ...Object.values(p.unimodal ?? {}), ...Object.values(p.components ?? {}), ...(p.gate ? [p.gate] : []), ...(p.modalityWeights ? [p.modalityWeights] : [])];

type Rows = Record<string, Float32Array>;

/**
 * Copies the [batch, width] tensors of each group of `parts` into the [n, width] arrays of the
 * same group of `into` (made on first use), at row `offset`. One device read for all of them: the
 * parts are joined side by side on the device and read back once.
 */
export async function collectRows(into: Rows[], parts: (Record<string, tf.Tensor2D> | undefined)[], n: number, offset: number): Promise<void> {
  const named = parts.flatMap((group, g) => Object.entries(group ?? {}).map(([name, t]) => ({ g, name, t, width: t.shape[1] })));
  if (!named.length) return;
  const rows = named[0].t.shape[0];
  const total = named.reduce((a, p) => a + p.width, 0);
  const joined = tf.concat(named.map((p) => p.t), 1);
  let flat: Float32Array;
  try {
    flat = (await joined.data()) as Float32Array;
  } finally {
    joined.dispose();
  }
  let column = 0;
  for (const { g, name, width } of named) {
    const out = (into[g][name] ??= new Float32Array(n * width));
    for (let r = 0; r < rows; r++) out.set(flat.subarray(r * total + column, r * total + column + width), (offset + r) * width);
    column += width;
  }
}

export async function predictSamples(model: ParadigmModel, data: Dataset, indices: Int32Array, batchSize: number): Promise<Predictions> {
  const n = indices.length;
  const [whole, unimodal, components]: Rows[] = [{}, {}, {}];
  // Whether the paradigm predicts unimodal parts and components at all (absent, not empty, if not).
  let has = { unimodal: false, components: false };
  let offset = 0;
  for (const idx of chunks(indices, batchSize)) {
    const batch = makeBatch(data, idx);
    // tidy keeps the returned tensors; Prediction is a plain object of them.
    const p = tf.tidy(() => model.predict(batch.inputs) as unknown as tf.TensorContainerObject) as unknown as Prediction;
    disposeBatch(batch);
    has = { unimodal: has.unimodal || p.unimodal !== undefined, components: has.components || p.components !== undefined };
    try {
      await collectRows([whole, unimodal, components], [{ probs: p.probs, ...(p.gate ? { gate: p.gate } : {}) }, p.unimodal, p.components], n, offset);
    } finally {
      tf.dispose(tensorsOf(p));
    }
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
    probs: whole.probs ?? new Float32Array(0),
    unimodal: has.unimodal ? unimodal : undefined,
    components: has.components ? components : undefined,
    gate: whole.gate,
  };
}
