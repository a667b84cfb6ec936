// How fast training goes and how long is left: samples per second, and ETAs for the epoch, the
// stage and the run. Stage and run ETAs are upper bounds (every remaining epoch of every stage
// trained; early stopping usually ends sooner) from the mean epoch time so far.

/** Where a stage sits in its run: its position and the maximum epochs of the stages after it. */
export interface StagePosition {
  index: number;
  count: number;
  laterEpochs: number;
}

export interface PaceState {
  /** Steps and samples done in the current epoch, and its elapsed seconds. */
  steps: number;
  samples: number;
  seconds: number;
  stepsPerEpoch: number;
  /** Mean seconds of the epochs finished in this stage so far (undefined before the first). */
  epochSeconds?: number;
  /** Epochs after the current one left in this stage (at most). */
  epochsLeft: number;
  laterEpochs: number;
}

export interface Eta {
  epoch: number;
  stage: number;
  run: number;
}

/** Seconds left for the epoch, and at most for the stage and the run. */
export function eta(p: PaceState): Eta {
  const perStep = p.steps > 0 ? p.seconds / p.steps : 0;
  const epochLeft = perStep * Math.max(0, p.stepsPerEpoch - p.steps);
  const perEpoch = p.epochSeconds ?? perStep * p.stepsPerEpoch;
  const stage = epochLeft + p.epochsLeft * perEpoch;
  return { epoch: epochLeft, stage, run: stage + p.laterEpochs * perEpoch };
}

export function samplesPerSecond(p: PaceState): number {
  return p.seconds > 0 ? p.samples / p.seconds : 0;
}

/** 45s, 3m20s, 1h05m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** 12,400. */
export const formatRate = (v: number): string => Math.round(v).toLocaleString('en-US');

/** The ETA fields of a progress line. */
export function etaText(e: Eta): string {
  return `epoch ${formatDuration(e.epoch)}, stage <= ${formatDuration(e.stage)}, run <= ${formatDuration(e.run)}`;
}
