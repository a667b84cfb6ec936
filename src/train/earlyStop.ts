// Early stopping and best-epoch selection on a validation metric. Pure state machine.
export type EarlyStopMetric = 'val_loss' | 'val_accuracy';

export interface EarlyStopState {
  bestValue: number | null;
  bestEpoch: number;
  badEpochs: number;
}

export const initialEarlyStop = (): EarlyStopState => ({ bestValue: null, bestEpoch: -1, badEpochs: 0 });

/** Feeds one epoch's metric; says whether it is the new best and whether to stop. */
export function observe(
  state: EarlyStopState, epoch: number, value: number,
  opts: { metric: EarlyStopMetric; patience: number; minDelta: number },
): { state: EarlyStopState; improved: boolean; stop: boolean } {
  const better = state.bestValue === null
    || (opts.metric === 'val_loss' ? value < state.bestValue - opts.minDelta : value > state.bestValue + opts.minDelta);
  const next: EarlyStopState = better
    ? { bestValue: value, bestEpoch: epoch, badEpochs: 0 }
    : { ...state, badEpochs: state.badEpochs + 1 };
  return { state: next, improved: better, stop: opts.patience > 0 && next.badEpochs >= opts.patience };
}
