// The training loop of one stage: the incoming model scored as epoch 0, shuffled mini-batches,
// gradient steps on the stage's trainable parameters only (step.ts), per-epoch metrics on train
// and val, early stopping and best-epoch restore on the prediction's validation metric.
// Everything the loop needs to continue after an interruption is handed to `onEpochEnd` as a
// snapshot, and accepted back through `resumeFrom`.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/schema';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import { type Dataset, splitIndices } from '../data/dataset';
import { UserError } from '../errors';
import { eta, etaText, formatDuration, formatRate, samplesPerSecond, type PaceState, type StagePosition } from './pace';
import type { Logger } from '../log';
import type { ParadigmModel, Stage } from '../paradigms/paradigm';
import { Rng } from '../rng';
import type { EarlyStopMetric } from '../config/primitives';
import { initialEarlyStop, metricValue, observe, type EarlyStopState, type Observation } from './earlyStop';
import { Optimizer } from './optimizer';
import { learningRate } from './schedule';
import { DeviceSum, evaluateStage, stepper, trainStep } from './step';

/** One row of metrics.csv. */
export interface MetricsRow {
  stage: string;
  epoch: number;
  split: 'train' | 'val';
  values: Record<string, number>;
}

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

/** Loop state plus its tensors: current params, best params ("best/<name>"), optimiser slots ("opt/<slot>"). */
export interface StageSnapshot {
  loop: LoopState;
  tensors: tf.NamedTensorMap;
}

export interface StageRun {
  stage: Stage;
  model: ParadigmModel;
  data: Dataset;
  train: TrainConfig;
  /** Seed of batch order; the loop derives its own stream per stage. */
  seed: number;
  logger: Logger;
  resumeFrom?: StageSnapshot;
  /**
   * Called with each epoch's rows and a function that takes the snapshot to resume from (taken
   * only when called, since it copies every tensor; owned by the callee for the call only);
   * epoch 0, the incoming model's validation, comes without one.
   */
  onEpochEnd?: (snapshot: (() => StageSnapshot) | undefined, rows: MetricsRow[]) => Promise<void>;
  /** Polled between batches; true stops the run with an Interrupted error. */
  interrupted?: () => boolean;
  /** Where the stage sits in its run, for progress and ETAs. */
  position?: StagePosition;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** How a stage ended: how long it trained and which epoch it kept, by which metric. */
export interface StageOutcome {
  /** Epochs trained (epoch 0, the incoming model, not counted). */
  epochs: number;
  metric: EarlyStopMetric;
  /** The epoch whose model the stage kept; 0 is the model it started from. */
  bestEpoch: number;
  best: Observation;
  incoming: Observation;
  /** Where the stage's epochs spent their time, summed over its epochs. */
  time: EpochTime;
}

/**
 * Where an epoch's wall time went, in seconds: the training steps themselves (batch, forward,
 * backward, update), the rest of the training pass (progress, yielding to signals, the loss
 * read-back), the validation pass, and the end-of-epoch writes (metrics.csv, resume checkpoint).
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

/** What model selection reads from a validation row. */
const observation = (row: Record<string, number>): Observation => ({ ce: row.prediction_ce, accuracy: row.accuracy, loss: row.loss });

export async function runStage(run: StageRun): Promise<StageOutcome> {
  const { stage, model, data, logger } = run;
  const train = stage.train ?? run.train;
  const { params } = model;
  const optimizer = new Optimizer(train.optimizer, params, stage.trainable);
  const auxOptimizer = stage.auxiliary ? new Optimizer(train.optimizer, params, stage.auxiliary.trainable) : undefined;
  const rng = run.resumeFrom ? new Rng(run.resumeFrom.loop.rng) : Rng.derive(run.seed, `batches-${stage.name}`);
  const trainIdx = splitIndices(data, 'train');
  const valIdx = splitIndices(data, 'val');
  const opts = { metric: train.early_stop.metric, patience: train.early_stop.patience, minDelta: train.early_stop.min_delta };
  let early = initialEarlyStop();
  let startEpoch = 0;
  let best: tf.NamedTensorMap | undefined;
  let incoming: Observation;

  if (run.resumeFrom) {
    const { loop, tensors } = run.resumeFrom;
    startEpoch = loop.epochsDone;
    early = loop.earlyStop;
    incoming = loop.incoming;
    const pick = (prefix: string) =>
      Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
    params.assign(pick('param/'));
    optimizer.load(loop.optimizerStep, pick('opt/'));
    if (auxOptimizer) auxOptimizer.load(loop.optimizerStep, pick('aux/'));
    const bestTensors = pick('best/');
    if (Object.keys(bestTensors).length) best = Object.fromEntries(Object.entries(bestTensors).map(([k, t]) => [k, tf.clone(t)]));
    if (loop.finished) startEpoch = Number.POSITIVE_INFINITY;
  } else {
    // Epoch 0: the model the stage starts from is a candidate like any epoch, so a stage that
    // only makes the prediction worse keeps what it was given.
    const valRow = evaluateStage(stage, data, valIdx, train.eval_batch_size);
    incoming = observation(valRow);
    if (train.keep_incoming) {
      early = observe(early, 0, incoming, opts).state;
      best = params.snapshot(stage.trainable);
    }
    logger.info(`${stage.name} epoch 0 (incoming model): val ${opts.metric.replace(/^val_/, '')} ${fmt(metricValue(incoming, opts.metric))} acc ${fmt(incoming.accuracy)}`);
    await run.onEpochEnd?.(undefined, [{ stage: stage.name, epoch: 0, split: 'val', values: { ...valRow, lr: 0, epoch_seconds: 0 } }]);
  }

  const step = stepper(model, stage, optimizer, auxOptimizer, run.resumeFrom ? run.resumeFrom.loop.optimizerStep : 0);
  const stepsPerEpoch = Math.ceil(trainIdx.length / train.batch_size);
  let epoch = startEpoch;

  const position = run.position ?? { index: 1, count: 1, laterEpochs: 0 };
  const stageLabel = `${stage.name}${position.count > 1 ? ` (${position.index}/${position.count})` : ''}`;
  // Where each finished epoch's time went; the ETAs use their wall times, writes included.
  const epochWall: EpochTime[] = [];
  const finishedSeconds = () => epochWall.map((t) => t.wall);
  let lastValAccuracy: number | undefined;

  for (; epoch < train.epochs; epoch++) {
    const started = performance.now();
    const lr = learningRate(train.optimizer.lr, train.schedule, epoch, train.epochs);
    const order = rng.shuffle(Int32Array.from(trainIdx));
    const bar = logger.progress(`${stageLabel} epoch ${epoch + 1}/${train.epochs}`, stepsPerEpoch);
    const sums = new DeviceSum();
    const pace: PaceState = {
      steps: 0, samples: 0, seconds: 0, stepsPerEpoch, epochsLeft: train.epochs - epoch - 1, laterEpochs: position.laterEpochs,
      epochSeconds: mean(finishedSeconds()),
    };
    let shown = 0;
    let stepSeconds = 0;
    for (const idx of chunks(order, train.batch_size)) {
      if (run.interrupted?.()) {
        bar.stop();
        sums.dispose();
        throw new Interrupted();
      }
      const stepStart = performance.now();
      const batch = makeBatch(data, idx);
      sums.add(trainStep(step, batch, lr));
      disposeBatch(batch);
      const stepEnd = performance.now();
      stepSeconds += (stepEnd - stepStart) / 1000;
      Object.assign(pace, { steps: pace.steps + 1, samples: pace.samples + idx.length, seconds: (stepEnd - started) / 1000 });
      // The running loss costs a device read: offered at most twice a second, read only if shown.
      if (pace.seconds - shown >= 0.5 || pace.steps === stepsPerEpoch) {
        shown = pace.seconds;
        bar.tick(1, () => ({
          'samples/s': formatRate(samplesPerSecond(pace)),
          loss: fmt(sums.peek(0) / pace.samples),
          ...(lastValAccuracy !== undefined ? { 'val acc': fmt(lastValAccuracy) } : {}),
          ETA: etaText(eta(pace)),
        }));
      } else {
        bar.tick(1);
      }
      // Let signals (Ctrl-C) and progress timers run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    bar.stop();
    const trainSeconds = (performance.now() - started) / 1000;
    const trainValues = sums.means(trainIdx.length);
    const trainRow = Object.fromEntries(step.termNames.map((n, i) => [n, trainValues[i]]));
    if (!Number.isFinite(trainRow.loss)) {
      throw new UserError(`the training loss became ${trainRow.loss} in epoch ${epoch + 1}: training diverged`, {
        where: `stage ${stage.name}`,
        hint: 'lower the learning rate (train.optimizer.lr, or the stage\'s lr), or check the data for extreme values; the run is marked failed',
      });
    }
    const growth = divergence(trainRow.loss, incoming.loss);
    if (train.divergence > 0 && growth > train.divergence) {
      throw new UserError(`the training loss grew to ${trainRow.loss.toPrecision(3)} in epoch ${epoch + 1}, ${growth.toPrecision(2)} times its starting value ${incoming.loss.toPrecision(3)}: training diverged`, {
        where: `stage ${stage.name}`,
        hint: `lower the learning rate (train.optimizer.lr, or the stage's lr); train.divergence sets the factor (now ${train.divergence}); the run is marked failed`,
      });
    }
    const valStart = performance.now();
    const valRow = evaluateStage(stage, data, valIdx, train.eval_batch_size);
    const valSeconds = (performance.now() - valStart) / 1000;
    const seen = observe(early, epoch + 1, observation(valRow), opts);
    early = seen.state;
    if (seen.improved) {
      tf.dispose(Object.values(best ?? {}));
      best = params.snapshot(stage.trainable);
    }
    const seconds = (performance.now() - started) / 1000;
    const rows: MetricsRow[] = [
      { stage: stage.name, epoch: epoch + 1, split: 'train', values: { ...trainRow, lr, epoch_seconds: seconds } },
      { stage: stage.name, epoch: epoch + 1, split: 'val', values: { ...valRow, lr, epoch_seconds: seconds } },
    ];
    lastValAccuracy = valRow.accuracy;
    // This epoch's line comes before its writes, so it counts its time up to here.
    const left = eta({ ...pace, steps: stepsPerEpoch, seconds: trainSeconds, epochSeconds: mean([...finishedSeconds(), seconds]) });
    logger.info(`${stageLabel} epoch ${epoch + 1}/${train.epochs}: train loss ${fmt(trainRow.loss)} acc ${fmt(trainRow.accuracy)} | val loss ${fmt(valRow.loss)} ce ${fmt(valRow.prediction_ce)} acc ${fmt(valRow.accuracy)}${seen.improved ? ' (best so far)' : ''} | ${formatRate(trainIdx.length / Math.max(trainSeconds, 1e-9))} samples/s, ${seconds.toFixed(1)}s | left: stage <= ${formatDuration(left.stage)}, run <= ${formatDuration(left.run)}`);

    const finished = seen.stop || epoch + 1 >= train.epochs;
    if (finished && best) params.assign(best);
    const saveStart = performance.now();
    if (run.onEpochEnd) {
      let snap: StageSnapshot | undefined;
      const take = () => (snap ??= snapshot(params, optimizer, auxOptimizer, best, { stage: stage.name, epochsDone: epoch + 1, rng: rng.state(), optimizerStep: 0, earlyStop: early, incoming, finished }));
      try {
        await run.onEpochEnd(take, rows);
      } finally {
        if (snap) tf.dispose(Object.values(snap.tensors));
      }
    }
    const time = epochTime(stepSeconds, trainSeconds, valSeconds, (performance.now() - saveStart) / 1000, (performance.now() - started) / 1000);
    epochWall.push(time);
    logger.detail?.(`${stageLabel} epoch ${epoch + 1} time: ${describeEpochTime(time)}`);
    if (seen.stop) {
      logger.info(`${stage.name}: no improvement in ${opts.patience} epochs, stopping`);
      epoch += 1;
      break;
    }
  }
  tf.dispose(Object.values(best ?? {}));
  optimizer.dispose();
  auxOptimizer?.dispose();
  const outcome: StageOutcome = { epochs: Math.min(epoch, train.epochs), metric: opts.metric, bestEpoch: early.bestEpoch, best: early.best!, incoming, time: sumEpochTimes(epochWall) };
  logger.info(describeOutcome(stage.name, outcome));
  return outcome;
}

/** "finetune: kept epoch 3 of 9 (val_ce 0.3012, acc 0.9120; incoming model: val_ce 0.3100, acc 0.9050)". */
export function describeOutcome(stage: string, o: StageOutcome): string {
  const at = (x: Observation) => `${o.metric} ${fmt(metricValue(x, o.metric))}, acc ${fmt(x.accuracy)}`;
  const kept = o.bestEpoch === 0 ? `kept the incoming model (epoch 0): no epoch of ${o.epochs} beat it` : `kept epoch ${o.bestEpoch} of ${o.epochs}`;
  return `${stage}: ${kept} (${at(o.best)}; incoming model: ${at(o.incoming)})`;
}

function snapshot(params: ParadigmModel['params'], optimizer: Optimizer, auxOptimizer: Optimizer | undefined, best: tf.NamedTensorMap | undefined, loop: LoopState): StageSnapshot {
  const tensors: tf.NamedTensorMap = {};
  for (const [n, t] of Object.entries(params.snapshot())) tensors[`param/${n}`] = t;
  for (const [n, t] of Object.entries(best ?? {})) tensors[`best/${n}`] = tf.clone(t);
  const opt = optimizer.state();
  for (const [n, t] of Object.entries(opt.tensors)) tensors[`opt/${n}`] = t;
  if (auxOptimizer) for (const [n, t] of Object.entries(auxOptimizer.state().tensors)) tensors[`aux/${n}`] = t;
  return { loop: { ...loop, optimizerStep: opt.step }, tensors };
}

const mean = (xs: readonly number[]): number | undefined => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** How many times an epoch's training loss exceeds the stage's starting loss (taken as at least 1 in size). */
export const divergence = (loss: number, start: number): number => Math.abs(loss) / Math.max(1, Math.abs(start));

const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4));
