// One gradient step of a stage, and the metrics of a batch: the loss, every term, the
// prediction's cross-entropy and the number right, summed on the device so that an epoch reads
// its metrics back once.
import * as tf from '@tensorflow/tfjs-core';
import { chunks, disposeBatch, makeBatch, type Batch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { perSampleNll } from '../models/losses';
import type { LossTerms, ParadigmModel, Stage } from '../paradigms/paradigm';
import type { Optimizer } from './optimizer';

/**
 * A batch's metrics as one vector: [loss, ...terms] times the batch size, then the summed
 * cross-entropy of the prediction and the number of correct predictions. Summed over batches
 * and divided by the sample count, it gives per-sample means.
 */
export function metricVector(out: LossTerms, labels: tf.Tensor1D, size: number): tf.Tensor1D {
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(out.probs, 1), labels), 'float32'));
  const ce = tf.sum(perSampleNll(out.probs, labels));
  return tf.stack([...[out.total, ...Object.values(out.terms)].map((t) => tf.mul(t, size)), ce, correct]) as tf.Tensor1D;
}

export const metricNames = (out: LossTerms) => ['loss', ...Object.keys(out.terms), 'prediction_ce', 'accuracy'];

/** Sums metric vectors on the device, so an epoch reads its metrics back once. */
export class DeviceSum {
  private sum?: tf.Tensor1D;

  add(part: tf.Tensor1D): void {
    const next = this.sum ? (tf.add(this.sum, part) as tf.Tensor1D) : tf.clone(part);
    tf.dispose([this.sum, part]);
    this.sum = next;
  }

  /** Sum number `index` so far (one device read of one number; for progress displays, not every step). */
  async peek(index: number): Promise<number> {
    if (!this.sum) return Number.NaN;
    const part = this.sum.slice(index, 1);
    try {
      return (await part.data())[0];
    } finally {
      part.dispose();
    }
  }

  /** The sums divided by `count`, and the sum released. */
  async means(count: number): Promise<number[]> {
    const sum = this.sum;
    this.sum = undefined;
    if (!sum) return [];
    try {
      return Array.from(await sum.data(), (v) => v / Math.max(count, 1));
    } finally {
      sum.dispose();
    }
  }

  dispose(): void {
    this.sum?.dispose();
    this.sum = undefined;
  }
}

/** Loss terms (means over samples) and accuracy of a stage on some samples, in eval mode. */
export async function evaluateStage(stage: Stage, data: Dataset, indices: Int32Array, batchSize: number): Promise<Record<string, number>> {
  const sums = new DeviceSum();
  let names: string[] = [];
  for (const idx of chunks(indices, batchSize)) {
    const batch = makeBatch(data, idx);
    sums.add(tf.tidy(() => {
      const out = stage.loss(batch.inputs, batch.labels, false, 0);
      names = metricNames(out);
      return metricVector(out, batch.labels, batch.size);
    }));
    disposeBatch(batch);
  }
  const values = await sums.means(indices.length);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

/** What one gradient step needs, prepared once per stage. */
export interface Stepper {
  model: ParadigmModel;
  stage: Stage;
  optimizer: Optimizer;
  auxiliary?: { optimizer: Optimizer; vars: tf.Variable[]; nameOf: Map<string, string> };
  /** Steps taken in this stage so far (the seed of sampling noise). */
  step: number;
  /** The epoch being trained, from 0 (set by the loop). */
  epoch: number;
  vars: tf.Variable[];
  /** For a stage with turns: each turn's variables. */
  turnVars?: tf.Variable[][];
  /** tfjs variable name -> parameter name. */
  nameOf: Map<string, string>;
  /** Names of the values trainStep returns, filled by the first step. */
  termNames: string[];
}

export function stepper(model: ParadigmModel, stage: Stage, optimizer: Optimizer, auxOptimizer?: Optimizer, step = 0): Stepper {
  const entries = model.params.entries(stage.trainable);
  const aux = stage.auxiliary && auxOptimizer ? model.params.entries(stage.auxiliary.trainable) : undefined;
  return {
    model, stage, optimizer, step, epoch: 0, termNames: [],
    vars: entries.map(([, v]) => v),
    turnVars: stage.turns?.map((names) => model.params.entries(names).map(([, v]) => v)),
    nameOf: new Map(entries.map(([n, v]) => [v.name, n])),
    auxiliary: aux && auxOptimizer ? { optimizer: auxOptimizer, vars: aux.map(([, v]) => v), nameOf: new Map(aux.map(([n, v]) => [v.name, n])) } : undefined,
  };
}

function byParamName(grads: tf.NamedTensorMap, nameOf: Map<string, string>): Record<string, tf.Tensor> {
  const named: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) named[nameOf.get(k) ?? k] = g;
  return named;
}

/**
 * One gradient step on a batch (a stage with `turns`: one optimiser step per turn, each on its
 * turn's parameters). Returns [loss, ...terms, correct] summed over the batch's samples (a mean
 * over the turns), as one tensor, so an epoch reads its metrics back once instead of every step.
 */
export function trainStep(s: Stepper, batch: Batch, lr: number): tf.Tensor1D {
  const step = s.step++;
  const turns = s.stage.turns;
  if (!turns) return turnStep(s, batch, lr, step);
  // Each turn's metrics are kept tensors (outside any tidy's reach): released here.
  const parts = turns.map((_, turn) => turnStep(s, batch, lr, step, turn));
  try {
    return tf.tidy(() => tf.div(tf.addN(parts), turns.length) as tf.Tensor1D);
  } finally {
    tf.dispose(parts);
  }
}

/** One optimiser step of a batch: the whole stage's, or turn `turn`'s (its parameters only). */
export function turnStep(s: Stepper, batch: Batch, lr: number, step: number, turn?: number): tf.Tensor1D {
  const at = { step, epoch: s.epoch, rows: batch.rows, turn };
  const only = turn === undefined ? undefined : s.stage.turns![turn];
  const vars = turn === undefined ? s.vars : s.turnVars![turn];
  return tf.tidy(() => {
    let metrics: tf.Tensor1D | undefined;
    let signals: Record<string, tf.Tensor> = {};
    const { grads } = tf.variableGrads(() => {
      const out = s.stage.loss(batch.inputs, batch.labels, true, step, batch.rows, turn);
      s.termNames = metricNames(out);
      metrics = tf.keep(metricVector(out, batch.labels, batch.size));
      signals = Object.fromEntries(Object.entries(out.signals ?? {}).map(([k, t]) => [k, tf.keep(t)]));
      return out.total;
    }, vars);
    try {
      const named = byParamName(grads, s.nameOf);
      s.optimizer.apply(s.stage.modulate ? s.stage.modulate(named, signals, at) : named, lr, only);
      if (s.auxiliary && s.stage.auxiliary) {
        const aux = s.stage.auxiliary;
        const { grads: auxGrads } = tf.variableGrads(() => aux.loss(batch.inputs, batch.labels, step), s.auxiliary.vars);
        s.auxiliary.optimizer.apply(byParamName(auxGrads, s.auxiliary.nameOf), lr);
      }
      s.stage.afterStep?.(signals, at);
    } finally {
      tf.dispose(Object.values(signals));
    }
    return metrics!;
  });
}
