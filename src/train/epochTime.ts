// Where an epoch's wall time went: the training steps, the rest of the training pass, the
// validation pass and the end-of-epoch writes. Shown at --verbose and summed per stage.

/**
 * In seconds: the training steps themselves (batch, forward, backward, update), the rest of the
 * training pass (progress, yielding to signals, the loss read-back), the validation pass, and the
 * end-of-epoch writes (metrics.csv, resume checkpoint).
 */
export interface EpochTime { steps: number; loop: number; validation: number; save: number; wall: number }

export function epochTime(steps: number, trainPass: number, validation: number, save: number, wall: number): EpochTime {
  return { steps, loop: Math.max(0, trainPass - steps), validation, save, wall };
}

export function sumEpochTimes(times: readonly EpochTime[]): EpochTime {
  const sum = (k: keyof EpochTime) => times.reduce((a, t) => a + t[k], 0);
  return { steps: sum('steps'), loop: sum('loop'), validation: sum('validation'), save: sum('save'), wall: sum('wall') };
}

/** "0.214 s: steps 0.170 (79%), loop 0.008, validation 0.012, checkpoint and metrics 0.024; wall / steps 1.26". */
export function describeEpochTime(t: EpochTime): string {
  const s = (v: number) => v.toFixed(3);
  return `${s(t.wall)} s: steps ${s(t.steps)} (${(100 * t.steps / Math.max(t.wall, 1e-9)).toFixed(0)}%), rest of the pass ${s(t.loop)}, validation ${s(t.validation)}, metrics and checkpoint ${s(t.save)}; wall / steps ${(t.wall / Math.max(t.steps, 1e-9)).toFixed(2)}`;
}
