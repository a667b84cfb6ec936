// The training loop of one stage: the incoming model scored as epoch 0, shuffled mini-batches,
// gradient steps on the stage's trainable parameters only (step.ts), per-epoch metrics on train
// and val, early stopping and best-epoch restore on the prediction's validation metric.
// Everything the loop needs to continue after an interruption is handed to `onEpochEnd` as a
// snapshot (loopState.ts), and accepted back through `resumeFrom`.
import * as tf from '@tensorflow/tfjs-core';
import type { EarlyStopMetric } from '../config/primitives';
import type { TrainConfig } from '../config/schema';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import { type Dataset, splitIndices } from '../data/dataset';
import type { Logger } from '../log';
import type { ParadigmModel, Stage } from '../paradigms/paradigm';
import { Rng } from '../rng';
import { initialEarlyStop, metricValue, observe, type EarlyStopState, type Observation } from './earlyStop';
import { guardDivergence } from './divergence';
import { describeEpochTime, epochTime, sumEpochTimes, type EpochTime } from './epochTime';
import { restoreSnapshot, takeSnapshot, type StageSnapshot } from './loopState';
import { Optimizer } from './optimizer';
import { eta, etaText, formatDuration, formatRate, samplesPerSecond, type PaceState, type StagePosition } from './pace';
import { learningRate } from './schedule';
import { DeviceSum, evaluateStage, stepper, trainStep } from './step';

/** One row of metrics.csv. */
export interface MetricsRow {
  stage: string;
  epoch: number;
  split: 'train' | 'val';
  values: Record<string, number>;
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
  /** Every `every` optimiser steps of the stage, the epoch's running mean training loss (TensorBoard). */
  onRunningLoss?: { every: number; write: (step: number, loss: () => Promise<number>) => Promise<void> };
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

export async function runStage(run: StageRun): Promise<StageOutcome> {
  const training = new StageTraining(run);
  try {
    await training.begin();
    while (training.epoch < training.train.epochs) {
      const stop = await training.runEpoch();
      training.epoch += 1;
      if (stop) break;
    }
    return training.outcome();
  } finally {
    training.dispose();
  }
}

/** What model selection reads from a validation row. */
const observation = (row: Record<string, number>): Observation => ({ ce: row.prediction_ce, accuracy: row.accuracy, loss: row.loss });

/** One stage being trained: its optimisers, batch order, model selection and best parameters. */
class StageTraining {
  readonly train: TrainConfig;
  epoch = 0;
  private readonly optimizer: Optimizer;
  private readonly auxOptimizer: Optimizer | undefined;
  private readonly rng: Rng;
  private readonly trainIdx: Int32Array;
  private readonly valIdx: Int32Array;
  private readonly opts: { metric: EarlyStopMetric; patience: number; minDelta: number };
  private early: EarlyStopState = initialEarlyStop();
  private best: tf.NamedTensorMap | undefined;
  private incoming!: Observation;
  private step!: ReturnType<typeof stepper>;
  /** Where each finished epoch's time went; the ETAs use their wall times, writes included. */
  private readonly times: EpochTime[] = [];
  private lastValAccuracy: number | undefined;

  constructor(private readonly run: StageRun) {
    const { stage, model, data } = run;
    this.train = stage.train ?? run.train;
    this.optimizer = new Optimizer(this.train.optimizer, model.params, stage.trainable);
    this.auxOptimizer = stage.auxiliary ? new Optimizer(this.train.optimizer, model.params, stage.auxiliary.trainable) : undefined;
    this.rng = run.resumeFrom ? new Rng(run.resumeFrom.loop.rng) : Rng.derive(run.seed, `batches-${stage.name}`);
    this.trainIdx = splitIndices(data, 'train');
    this.valIdx = splitIndices(data, 'val');
    this.opts = { metric: this.train.early_stop.metric, patience: this.train.early_stop.patience, minDelta: this.train.early_stop.min_delta };
  }

  private get label(): string {
    const position = this.run.position ?? { index: 1, count: 1, laterEpochs: 0 };
    return `${this.run.stage.name}${position.count > 1 ? ` (${position.index}/${position.count})` : ''}`;
  }

  /** Continues from `resumeFrom`, or scores the incoming model as epoch 0 (a candidate unless keep_incoming is off). */
  async begin(): Promise<void> {
    const { stage, model, data, logger, resumeFrom } = this.run;
    if (resumeFrom) {
      const { loop } = resumeFrom;
      this.epoch = loop.finished ? Number.POSITIVE_INFINITY : loop.epochsDone;
      this.early = loop.earlyStop;
      this.incoming = loop.incoming;
      this.best = restoreSnapshot(resumeFrom, model.params, this.optimizer, this.auxOptimizer);
    } else {
      // Epoch 0: the model the stage starts from is a candidate like any epoch, so a stage that
      // only makes the prediction worse keeps what it was given.
      const valRow = await evaluateStage(stage, data, this.valIdx, this.train.eval_batch_size);
      this.incoming = observation(valRow);
      if (this.train.keep_incoming) {
        this.early = observe(this.early, 0, this.incoming, this.opts).state;
        this.best = model.params.snapshot(stage.trainable);
      }
      logger.info(`${stage.name} epoch 0 (incoming model): val ${this.opts.metric.replace(/^val_/, '')} ${fmt(metricValue(this.incoming, this.opts.metric))} acc ${fmt(this.incoming.accuracy)}`);
      await this.run.onEpochEnd?.(undefined, [{ stage: stage.name, epoch: 0, split: 'val', values: { ...valRow, lr: 0, epoch_seconds: 0 } }]);
    }
    this.step = stepper(model, stage, this.optimizer, this.auxOptimizer, resumeFrom ? resumeFrom.loop.optimizerStep : 0);
  }

  /** One epoch: the training pass, the divergence guard, validation and selection, the epoch's rows and snapshot. Returns whether to stop early. */
  async runEpoch(): Promise<boolean> {
    const started = performance.now();
    const lr = learningRate(this.train.optimizer.lr, this.train.schedule, this.epoch, this.train.epochs);
    await this.run.stage.beforeEpoch?.(this.run.data, this.trainIdx, this.epoch);
    const pass = await this.trainPass(lr, started);
    guardDivergence(pass.row.loss, { stage: this.run.stage.name, epoch: this.epoch + 1, incoming: this.incoming.loss, factor: this.train.divergence });
    const valStart = performance.now();
    const valRow = await evaluateStage(this.run.stage, this.run.data, this.valIdx, this.train.eval_batch_size);
    const valSeconds = (performance.now() - valStart) / 1000;
    const seen = observe(this.early, this.epoch + 1, observation(valRow), this.opts);
    this.early = seen.state;
    if (seen.improved) {
      tf.dispose(Object.values(this.best ?? {}));
      this.best = this.run.model.params.snapshot(this.run.stage.trainable);
    }
    const seconds = (performance.now() - started) / 1000;
    this.lastValAccuracy = valRow.accuracy;
    this.logEpoch(pass, valRow, seen.improved, seconds);
    const finished = seen.stop || this.epoch + 1 >= this.train.epochs;
    if (finished && this.best) this.run.model.params.assign(this.best);
    const saveStart = performance.now();
    await this.endEpoch(finished, [
      { stage: this.run.stage.name, epoch: this.epoch + 1, split: 'train', values: { ...pass.row, lr, epoch_seconds: seconds } },
      { stage: this.run.stage.name, epoch: this.epoch + 1, split: 'val', values: { ...valRow, lr, epoch_seconds: seconds } },
    ]);
    const time = epochTime(pass.stepSeconds, pass.seconds, valSeconds, (performance.now() - saveStart) / 1000, (performance.now() - started) / 1000);
    this.times.push(time);
    this.run.logger.detail?.(`${this.label} epoch ${this.epoch + 1} time: ${describeEpochTime(time)}`);
    if (seen.stop) this.run.logger.info(`${this.run.stage.name}: no improvement in ${this.opts.patience} epochs, stopping`);
    return seen.stop;
  }

  /** The shuffled mini-batches of one epoch, with the progress bar; the epoch's mean training terms. */
  private async trainPass(lr: number, started: number): Promise<{ row: Record<string, number>; stepSeconds: number; seconds: number; pace: PaceState }> {
    const { data, logger } = this.run;
    const stepsPerEpoch = Math.ceil(this.trainIdx.length / this.train.batch_size);
    const order = this.rng.shuffle(Int32Array.from(this.trainIdx));
    const bar = logger.progress(`${this.label} epoch ${this.epoch + 1}/${this.train.epochs}`, stepsPerEpoch);
    const sums = new DeviceSum();
    this.step.epoch = this.epoch;
    const pace: PaceState = {
      steps: 0, samples: 0, seconds: 0, stepsPerEpoch, epochsLeft: this.train.epochs - this.epoch - 1, laterEpochs: this.run.position?.laterEpochs ?? 0,
      epochSeconds: mean(this.times.map((t) => t.wall)),
    };
    let shown = 0;
    let stepSeconds = 0;
    for (const idx of chunks(order, this.train.batch_size)) {
      if (this.run.interrupted?.()) {
        bar.stop();
        sums.dispose();
        throw new Interrupted();
      }
      const stepStart = performance.now();
      const batch = makeBatch(data, idx);
      sums.add(trainStep(this.step, batch, lr));
      disposeBatch(batch);
      const stepEnd = performance.now();
      stepSeconds += (stepEnd - stepStart) / 1000;
      Object.assign(pace, { steps: pace.steps + 1, samples: pace.samples + idx.length, seconds: (stepEnd - started) / 1000 });
      const log = this.run.onRunningLoss;
      const step = this.epoch * stepsPerEpoch + pace.steps;
      if (log && log.every > 0 && step % log.every === 0) await log.write(step, async () => (await sums.peek(0)) / pace.samples);
      // The running loss costs a device read: offered at most twice a second, read only if shown.
      if ((pace.seconds - shown >= 0.5 || pace.steps === stepsPerEpoch) && bar.wantsFields()) {
        shown = pace.seconds;
        const loss = (await sums.peek(0)) / pace.samples;
        bar.tick(1, () => ({
          'samples/s': formatRate(samplesPerSecond(pace)),
          loss: fmt(loss),
          ...(this.lastValAccuracy !== undefined ? { 'val acc': fmt(this.lastValAccuracy) } : {}),
          ETA: etaText(eta(pace)),
        }));
      } else {
        bar.tick(1);
      }
      // Let signals (Ctrl-C) and progress timers run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    bar.stop();
    const values = await sums.means(this.trainIdx.length);
    return { row: Object.fromEntries(this.step.termNames.map((n, i) => [n, values[i]])), stepSeconds, seconds: (performance.now() - started) / 1000, pace };
  }

  /** The epoch's line, before its writes, so it counts its time up to here. */
  private logEpoch(pass: { row: Record<string, number>; seconds: number; pace: PaceState }, valRow: Record<string, number>, improved: boolean, seconds: number): void {
    const stepsPerEpoch = pass.pace.stepsPerEpoch;
    const left = eta({ ...pass.pace, steps: stepsPerEpoch, seconds: pass.seconds, epochSeconds: mean([...this.times.map((t) => t.wall), seconds]) });
    const rate = formatRate(this.trainIdx.length / Math.max(pass.seconds, 1e-9));
    this.run.logger.info(`${this.label} epoch ${this.epoch + 1}/${this.train.epochs}: train loss ${fmt(pass.row.loss)} acc ${fmt(pass.row.accuracy)} | val loss ${fmt(valRow.loss)} ce ${fmt(valRow.prediction_ce)} acc ${fmt(valRow.accuracy)}${improved ? ' (best so far)' : ''} | ${rate} samples/s, ${seconds.toFixed(1)}s | left: stage <= ${formatDuration(left.stage)}, run <= ${formatDuration(left.run)}`);
  }

  /** Hands the epoch's rows and (on request) its snapshot to onEpochEnd. */
  private async endEpoch(finished: boolean, rows: MetricsRow[]): Promise<void> {
    if (!this.run.onEpochEnd) return;
    let snap: StageSnapshot | undefined;
    const loop = { stage: this.run.stage.name, epochsDone: this.epoch + 1, rng: this.rng.state(), optimizerStep: 0, earlyStop: this.early, incoming: this.incoming, finished };
    const take = () => (snap ??= takeSnapshot(this.run.model.params, this.optimizer, this.auxOptimizer, this.best, loop));
    try {
      await this.run.onEpochEnd(take, rows);
    } finally {
      if (snap) tf.dispose(Object.values(snap.tensors));
    }
  }

  outcome(): StageOutcome {
    const outcome: StageOutcome = { epochs: Math.min(this.epoch, this.train.epochs), metric: this.opts.metric, bestEpoch: this.early.bestEpoch, best: this.early.best!, incoming: this.incoming, time: sumEpochTimes(this.times) };
    this.run.logger.info(describeOutcome(this.run.stage.name, outcome));
    return outcome;
  }

  /** Frees the best parameters and the optimisers' slots (also when the stage ends with an error). */
  dispose(): void {
    tf.dispose(Object.values(this.best ?? {}));
    this.best = undefined;
    this.optimizer.dispose();
    this.auxOptimizer?.dispose();
  }
}

/** "finetune: kept epoch 3 of 9 (val_ce 0.3012, acc 0.9120; incoming model: val_ce 0.3100, acc 0.9050)". */
export function describeOutcome(stage: string, o: StageOutcome): string {
  const at = (x: Observation) => `${o.metric} ${fmt(metricValue(x, o.metric))}, acc ${fmt(x.accuracy)}`;
  const kept = o.bestEpoch === 0 ? `kept the incoming model (epoch 0): no epoch of ${o.epochs} beat it` : `kept epoch ${o.bestEpoch} of ${o.epochs}`;
  return `${stage}: ${kept} (${at(o.best)}; incoming model: ${at(o.incoming)})`;
}

const mean = (xs: readonly number[]): number | undefined => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4));
