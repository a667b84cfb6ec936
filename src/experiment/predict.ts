// Batched prediction over a set of samples, copied out of tensors into one plain record that
// eval, decompose and compare all read: the samples (ids, labels, types), the final
// probabilities, and whichever named parts the paradigm predicts (unimodal predictors,
// interaction components, gate).
import * as tf from '@tensorflow/tfjs-core';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import type { InteractionType } from '../interactionTypes';
import type { ParadigmModel, Prediction } from '../paradigms/paradigm';
import { classPrior } from './data';

export interface Predictions {
  /** The samples, in the order of every array below. */
  indices: Int32Array;
  ids: string[];
  /** -1 throughout when `unlabelled`. */
  labels: Int32Array;
  /** The data came without labels: predictions only, nothing to score against. */
  unlabelled?: boolean;
  /** Interaction type per sample, where the data knows it. */
  types?: InteractionType[];
  /** The user's group of each sample (`data.group`). */
  groups?: string[];
  classNames: string[];
  classes: number;
  /** p_train(y): the share of each class in the training split (for evidence in nats). */
  prior: number[];
  /** Final probabilities [n, classes] row-major. */
  probs: Float32Array;
  /** The model's own unimodal predictors [n, classes], by modality name. */
  unimodal?: Record<string, Float32Array>;
  /** Interaction components' probabilities [n, classes], by component name. */
  components?: Record<string, Float32Array>;
  /** Gate weights [n, components], columns in the order of `components`. */
  gate?: Float32Array;
}

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
