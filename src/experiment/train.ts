// Training a run, start to finish or from where it stopped: data and model are built before the
// run folder exists (so bad input leaves nothing behind), then each stage trains, checkpoints
// every epoch for resume, and writes its own checkpoint when done; the run ends with evaluation
// on val and test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendReport } from '../backend/select';
import { configToYaml } from '../config/load';
import type { Config } from '../config/schema';
import { UserError } from '../errors';
import type { Logger } from '../log';
import { buildModel } from '../paradigms';
import type { ParadigmModel } from '../paradigms/paradigm';
import { loadTensors, rollingCheckpointHandler, saveTensors, stageCheckpointHandler } from '../runs/checkpoint';
import { DamagedFile } from '../runs/damaged';
import { acquireRunLock, lockContent, ownedLock, type RunLock } from '../runs/lock';
import { metaJson, readMeta, writeFinalMeta, writeMeta, type RunMeta, type StageSelection } from '../runs/meta';
import { recoverRunFolder } from '../runs/recover';
import { isStorageError, StorageError } from '../runs/storage';
import { readMetrics, writeMetrics } from '../runs/metricsFile';
import { createRunFolder, runFiles } from '../runs/runFolder';
import { hparamKeys, LiveBoard } from './liveBoard';
import type { StagePosition } from '../train/pace';
import type { EarlyStopMetric } from '../config/primitives';
import { sumEpochTimes, type EpochTime } from '../train/epochTime';
import { Interrupted, runStage, type MetricsRow, type StageOutcome } from '../train/loop';
import { bufferNeeds, checkBufferLimits } from '../train/bufferLimits';
import { upgradeLoopState, type LoopState, type StageSnapshot } from '../train/loopState';
import type { Dataset } from '../data/dataset';
import { dataInfoFiles, modelSpec, prepareForRun, prepareForTraining, readDataInfo } from './data';
import { evaluateSplits, type EvalReport } from './evaluate';
import { loadStageCheckpoint, readRunConfig } from './runModel';
import { sourceState, versions } from './provenance';

export interface TrainOptions {
  runsDir: string;
  backend: BackendReport;
  logger: Logger;
  command: string[];
  /** Polled between batches; true interrupts the run (it can be resumed). */
  interrupted?: () => boolean;
  /** Called once the run folder exists (the CLI starts writing log.txt there). */
  onRunFolder?: (id: string, dir: string) => void;
  /** Config keys set for this run (--set, or a sweep cell's axes and variants): its hyper-parameters in TensorBoard. */
  setKeys?: string[];
}

export interface TrainResult {
  id: string;
  dir: string;
  test: EvalReport;
  val: EvalReport;
  /** Where the epochs this call trained spent their time (steps, rest of the pass, validation, writes), summed. */
  time: EpochTime;
}

export async function trainNew(config: Config, opts: TrainOptions): Promise<TrainResult> {
  const { data, info } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  try {
    await requireDeviceFits(model, data, config, opts.backend);
    const source = sourceState();
    const meta: RunMeta = {
      id: '', name: config.name, status: 'running', paradigm: config.model.paradigm, dataset: config.data.source,
      command: opts.command, seed: config.seed, backend: opts.backend, versions: versions(), git_commit: source.commit, git_dirty: source.dirty,
      started: new Date().toISOString(), ended: null, stages_done: [], stage: null, selection: {}, pid: process.pid, host: os.hostname(),
    };
    // The folder appears with all of these at once (and locked by this process), or not at all.
    const { id, dir } = createRunFolder(opts.runsDir, config.name, (runId) => ({
      [runFiles.config]: configToYaml(config),
      ...dataInfoFiles(info, data),
      ...(source.diff ? { [runFiles.sourceDiff]: source.diff } : {}),
      [runFiles.meta]: metaJson({ ...meta, id: runId }),
      [runFiles.lock]: lockContent('dmil train'),
    }));
    meta.id = id;
    const lock = ownedLock(path.join(dir, runFiles.lock));
    opts.onRunFolder?.(id, dir);
    opts.logger.info(`run ${id}: ${config.model.paradigm} on ${config.data.source} data (${info.splitSizes.train}/${info.splitSizes.val}/${info.splitSizes.test} train/val/test), ${model.params.count()} parameters`);
    return await trainStages(config, model, data, meta, dir, lock, opts);
  } catch (e) {
    model.params.dispose();
    throw e;
  }
}

/** On a GPU whose limits are known, a batch whose buffers would not fit is refused before anything is written. */
async function requireDeviceFits(model: ParadigmModel, data: Dataset, config: Config, backend: BackendReport): Promise<void> {
  if (backend.adapter) checkBufferLimits(await bufferNeeds(model, data, config.train), backend.adapter.limits, config.train);
}

export async function trainResume(runId: string, runDir: string, opts: TrainOptions): Promise<TrainResult> {
  const lock = acquireRunLock(runDir, runId, 'dmil train --resume');
  let model: ParadigmModel | undefined;
  try {
    // Holding the lock, no other process trains this run: the lock is the authority on that.
    const meta = readMeta(runDir);
    const config = readRunConfig(runDir);
    const { data } = await prepareForRun(config, readDataInfo(runDir), runDir, true);
    model = buildModel(config, modelSpec(data));
    await requireDeviceFits(model, data, config, opts.backend);
    const recovery = recoverRunFolder(runDir, meta, model.stages.map((s) => s.name));
    const repairing = recovery.retrain.length > 0;
    if (meta.status === 'done' && !repairing) throw new UserError('run is already done; nothing to resume', { where: runId, hint: 'start a new run with dmil train CONFIG' });
    const last = meta.stages_done[meta.stages_done.length - 1];
    if (last) await loadStageCheckpoint(runDir, last, model);
    Object.assign(meta, { status: 'running', error: undefined, ended: null, pid: process.pid, host: os.hostname() });
    meta.resumed = [...(meta.resumed ?? []), new Date().toISOString()];
    writeMeta(runDir, meta);
    opts.onRunFolder?.(runId, runDir);
    if (recovery.removedTemp.length) opts.logger.info(`removed ${recovery.removedTemp.length} temporary file(s) of an interrupted write`);
    for (const stage of recovery.adopted) opts.logger.info(`${stage}: its checkpoint was complete; counted as done`);
    for (const r of recovery.retrain) opts.logger.warn(`${r.stage}: ${r.damage}; training it again from the stage before`);
    opts.logger.info(`resuming run ${runId} after ${meta.stages_done.length ? `stage ${last}` : 'no finished stage'}`);
    return await trainStages(config, model, data, meta, runDir, lock, opts);
  } catch (e) {
    model?.params.dispose();
    lock.release();
    throw e;
  }
}

async function readResumeState(runDir: string, stage: string, metric: EarlyStopMetric, logger: Logger): Promise<StageSnapshot | undefined> {
  const dir = path.join(runDir, runFiles.resume);
  if (!fs.existsSync(path.join(dir, 'model.json'))) return undefined;
  let loaded: Awaited<ReturnType<typeof loadTensors>>;
  try {
    loaded = await loadTensors(rollingCheckpointHandler(dir, ''));
  } catch (e) {
    if (!(e instanceof DamagedFile)) throw e;
    logger.warn(`${path.relative(runDir, e.file)} is damaged (${e.reason}); ${stage} starts again from its beginning`);
    return undefined;
  }
  const { tensors, topology } = loaded;
  const loop = topology.loop as LoopState | undefined;
  if (loop?.stage !== stage) {
    tf.dispose(Object.values(tensors));
    return undefined;
  }
  return { loop: upgradeLoopState(loop, metric), tensors };
}

async function trainStages(config: Config, model: ParadigmModel, data: Dataset, meta: RunMeta, dir: string, lock: RunLock, opts: TrainOptions): Promise<TrainResult> {
  const metricsFile = path.join(dir, runFiles.metrics);
  const rows: MetricsRow[] = readMetrics(metricsFile);
  const times: EpochTime[] = [];
  let board: LiveBoard | undefined;
  try {
    board = LiveBoard.open(dir, config, hparamKeys(opts.setKeys ?? []), meta.id);
    for (const stage of model.stages) {
      if (meta.stages_done.includes(stage.name)) continue;
      meta.stage = stage.name;
      writeMeta(dir, meta);
      const resumeFrom = await readResumeState(dir, stage.name, (stage.train ?? config.train).early_stop.metric, opts.logger);
      if (resumeFrom) opts.logger.info(`${stage.name}: continuing after epoch ${resumeFrom.loop.epochsDone}`);
      // Rows of this stage past the point it continues from came from work that was lost.
      const keep = rows.filter((r) => r.stage !== stage.name || (resumeFrom !== undefined && r.epoch <= resumeFrom.loop.epochsDone));
      rows.splice(0, rows.length, ...keep);
      let outcome: StageOutcome;
      const checkpoints = checkpointClock((stage.train ?? config.train).checkpoint_seconds);
      try {
        outcome = await runStage({
          stage, model, data, train: stage.train ?? config.train, seed: config.seed, logger: opts.logger, resumeFrom, interrupted: opts.interrupted,
          position: positionOf(model, stage.name, config),
          onRunningLoss: board?.runningLoss(stage.name),
          onEpochEnd: async (take, epochRows) => {
            rows.push(...epochRows);
            writeMetrics(metricsFile, rows);
            board?.epoch(epochRows);
            if (!take || !checkpoints.due()) return;
            const snap = take();
            await saveTensors(rollingCheckpointHandler(path.join(dir, runFiles.resume), `${stage.name}-${snap.loop.epochsDone}`), snap.tensors, { paradigm: model.paradigm, loop: snap.loop });
            checkpoints.written();
          },
        });
      } finally {
        if (resumeFrom) tf.dispose(Object.values(resumeFrom.tensors));
      }
      times.push(outcome.time);
      await commitStage(dir, model, meta, stage.name, outcome);
    }
    fs.rmSync(path.join(dir, runFiles.resume), { recursive: true, force: true });
    const [val, test] = await evaluateSplits({ runId: meta.id, runDir: dir, model, data, batchSize: config.train.eval_batch_size, seed: config.seed }, [{ split: 'val' }, { split: 'test' }]);
    board?.finish({ val, test }, sumEpochTimes(times).wall, opts.logger);
    Object.assign(meta, { status: 'done', stage: null, ended: new Date().toISOString() });
    writeMeta(dir, meta);
    return { id: meta.id, dir, val, test, time: sumEpochTimes(times) };
  } catch (e) {
    const interrupted = e instanceof Interrupted;
    Object.assign(meta, { status: interrupted ? 'interrupted' : 'failed', ended: new Date().toISOString(), error: interrupted ? undefined : (e as Error).message.slice(0, 300) });
    const recorded = writeFinalMeta(dir, meta);
    if (isStorageError(e)) {
      const state = recorded ? 'the run is marked failed' : 'the run could not be marked failed (it shows as interrupted)';
      throw new StorageError(e.code, e.where ?? dir, `${e.hint}; ${state}: continue it with dmil train --resume ${meta.id}`);
    }
    throw e;
  } finally {
    model.params.dispose();
    lock.release();
  }
}

/** The stage's commit point: its checkpoint, holding its selection; meta.json follows. */
async function commitStage(dir: string, model: ParadigmModel, meta: RunMeta, stage: string, outcome: StageOutcome): Promise<void> {
  const selection = selectionRecord(outcome);
  await saveTensors(stageCheckpointHandler(path.join(dir, runFiles.checkpoints, stage)), Object.fromEntries(model.params.entries()), { paradigm: model.paradigm, stage, selection });
  meta.stages_done.push(stage);
  meta.selection = { ...meta.selection, [stage]: selection };
  writeMeta(dir, meta);
}

/** A stage's place in the run, and the most epochs the stages after it can take (for ETAs). */
function positionOf(model: ParadigmModel, name: string, config: Config): StagePosition {
  const i = model.stages.findIndex((s) => s.name === name);
  const laterEpochs = model.stages.slice(i + 1).reduce((n, s) => n + (s.train ?? config.train).epochs, 0);
  return { index: i + 1, count: model.stages.length, laterEpochs };
}

/** What meta.json records of a stage's model selection. */
function selectionRecord(o: StageOutcome): StageSelection {
  const obs = (x: StageOutcome['best']) => ({ val_ce: x.ce, val_accuracy: x.accuracy, val_loss: x.loss });
  return { metric: o.metric, epochs: o.epochs, best_epoch: o.bestEpoch, best: obs(o.best), incoming: obs(o.incoming) };
}

/**
 * When to write the resume checkpoint: at the end of an epoch once `seconds` have passed since
 * the last one (or since the stage began); every epoch when `seconds` is 0. A kill loses at most
 * `seconds` plus one epoch of training, and resume replays it identically (the checkpoint holds
 * the batch order's random state). A finished stage needs none: its own checkpoint commits it.
 */
export function checkpointClock(seconds: number, now = () => performance.now()): { due: () => boolean; written: () => void } {
  let last = now();
  return {
    due: () => seconds <= 0 || now() - last >= seconds * 1000,
    written: () => void (last = now()),
  };
}
