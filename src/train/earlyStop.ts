// Early stopping and best-epoch selection on a validation metric. Pure state machine.
//   val_ce:       cross-entropy of the model's prediction (lower is better), ties broken by accuracy;
//   val_accuracy: accuracy (higher is better), ties broken by val_ce;
//   val_loss:     the stage's whole loss, regularisers included (lower is better).
import type { EarlyStopMetric } from '../config/primitives';

/** What an epoch's validation pass measured. */
export interface Observation {
  /** Cross-entropy of the prediction. */
  ce: number;
  accuracy: number;
  /** The stage's whole loss. */
  loss: number;
}

export interface EarlyStopState {
  best: Observation | null;
  /** The best epoch; 0 is the model the stage started from. */
  bestEpoch: number;
  badEpochs: number;
}

export const initialEarlyStop = (): EarlyStopState => ({ best: null, bestEpoch: -1, badEpochs: 0 });

/** [primary, tie-break], both oriented so that larger is better. */
function score(o: Observation, metric: EarlyStopMetric): [number, number] {
  switch (metric) {
    case 'val_ce':
      return [-o.ce, o.accuracy];
    case 'val_accuracy':
      return [o.accuracy, -o.ce];
    case 'val_loss':
      return [-o.loss, o.accuracy];
  }
}

/** Whether `o` beats `best`: by more than `minDelta` on the metric, or level within it and better on the tie-break. */
export function isBetter(o: Observation, best: Observation | null, metric: EarlyStopMetric, minDelta: number): boolean {
  if (best === null) return true;
  const [a, ta] = score(o, metric);
  const [b, tb] = score(best, metric);
  if (Number.isNaN(a)) return false;
  if (a > b + minDelta) return true;
  return Math.abs(a - b) <= minDelta && ta > tb;
}

/** The metric's own value, for logs. */
export const metricValue = (o: Observation, metric: EarlyStopMetric): number => (metric === 'val_ce' ? o.ce : metric === 'val_accuracy' ? o.accuracy : o.loss);

/** Feeds one epoch's observation; says whether it is the new best and whether to stop. */
export function observe(
  state: EarlyStopState, epoch: number, o: Observation,
  opts: { metric: EarlyStopMetric; patience: number; minDelta: number },
): { state: EarlyStopState; improved: boolean; stop: boolean } {
  const better = isBetter(o, state.best, opts.metric, opts.minDelta);
  const next: EarlyStopState = better ? { best: o, bestEpoch: epoch, badEpochs: 0 } : { ...state, badEpochs: state.badEpochs + 1 };
  return { state: next, improved: better, stop: opts.patience > 0 && next.badEpochs >= opts.patience };
}
