// What a stage's training loop needs to continue after an interruption: its plain-JSON state
// (epochs done, batch-order rng, optimiser step, model selection) and its tensors (current and
// best parameters, optimiser slots), taken at the end of an epoch and given back on resume.
import * as tf from '@tensorflow/tfjs-core';
import type { EarlyStopMetric } from '../config/primitives';
import type { ParadigmModel } from '../paradigms/paradigm';
import type { EarlyStopState, Observation } from './earlyStop';
import type { Optimizer } from './optimizer';

/** Plain-JSON part of the loop state. */
export interface LoopState {
  stage: string;
  epochsDone: number;
  rng: number[];
  optimizerStep: number;
  earlyStop: EarlyStopState;
  /** What the model the stage started from scored on validation (epoch 0). */
  incoming: Observation;
  finished: boolean;
}

/** Loop state plus its tensors: current params ("param/<name>"), best params ("best/<name>"), optimiser slots ("opt/<slot>", "aux/<slot>"). */
export interface StageSnapshot {
  loop: LoopState;
  tensors: tf.NamedTensorMap;
}

/**
 * A resume checkpoint's loop state in today's form. dmil 0.1 kept the best epoch's metric value
 * alone (no tie-break, no incoming model): it becomes an observation with that value and NaN for
 * the rest, so that, as in 0.1, only a strictly better value counts as better.
 */
export function upgradeLoopState(raw: unknown, metric: EarlyStopMetric): LoopState {
  const loop = raw as LoopState & { earlyStop: { bestValue?: number | null } };
  if (!('bestValue' in loop.earlyStop)) return loop;
  const value = loop.earlyStop.bestValue ?? Number.NaN;
  const none: Observation = { ce: Number.NaN, accuracy: Number.NaN, loss: Number.NaN };
  const best = loop.earlyStop.bestValue === null || loop.earlyStop.bestValue === undefined ? null
    : { ...none, ...(metric === 'val_accuracy' ? { accuracy: value } : metric === 'val_ce' ? { ce: value } : { loss: value }) };
  return { ...loop, earlyStop: { best, bestEpoch: loop.earlyStop.bestEpoch, badEpochs: loop.earlyStop.badEpochs }, incoming: loop.incoming ?? none };
}

/** The snapshot of a stage now (tensors copied; the caller disposes them). */
export function takeSnapshot(params: ParadigmModel['params'], optimizer: Optimizer, auxOptimizer: Optimizer | undefined, best: tf.NamedTensorMap | undefined, loop: LoopState): StageSnapshot {
  const tensors: tf.NamedTensorMap = {};
  for (const [n, t] of Object.entries(params.snapshot())) tensors[`param/${n}`] = t;
  for (const [n, t] of Object.entries(best ?? {})) tensors[`best/${n}`] = tf.clone(t);
  const opt = optimizer.state();
  for (const [n, t] of Object.entries(opt.tensors)) tensors[`opt/${n}`] = t;
  if (auxOptimizer) for (const [n, t] of Object.entries(auxOptimizer.state().tensors)) tensors[`aux/${n}`] = t;
  return { loop: { ...loop, optimizerStep: opt.step }, tensors };
}

/** Puts a snapshot's parameters and optimiser state back; returns copies of its best parameters, if it has them. */
export function restoreSnapshot(snap: StageSnapshot, params: ParadigmModel['params'], optimizer: Optimizer, auxOptimizer: Optimizer | undefined): tf.NamedTensorMap | undefined {
  const pick = (prefix: string) =>
    Object.fromEntries(Object.entries(snap.tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
  params.assign(pick('param/'));
  optimizer.load(snap.loop.optimizerStep, pick('opt/'));
  if (auxOptimizer) auxOptimizer.load(snap.loop.optimizerStep, pick('aux/'));
  const best = pick('best/');
  return Object.keys(best).length ? Object.fromEntries(Object.entries(best).map(([k, t]) => [k, tf.clone(t)])) : undefined;
}
