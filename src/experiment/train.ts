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
import { writeFileAtomic } from '../runs/atomic';
import { loadTensors, rollingCheckpointHandler, saveTensors, stageCheckpointHandler } from '../runs/checkpoint';
import { liveStatus, readMeta, writeMeta, type RunMeta, type StageSelection } from '../runs/meta';
import { readMetrics, writeMetrics } from '../runs/metricsFile';
import { createRunFolder, runFiles } from '../runs/runFolder';
import { Interrupted, runStage, type LoopState, type MetricsRow, type StageOutcome, type StageSnapshot } from '../train/loop';
import type { Dataset } from '../data/dataset';
import { modelSpec, prepareForRun, prepareForTraining, readDataInfo, writeDataInfo } from './data';
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
}

export interface TrainResult {
  id: string;
  dir: string;
  test: EvalReport;
  val: EvalReport;
}

export async function trainNew(config: Config, opts: TrainOptions): Promise<TrainResult> {
  const { data, info } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  let folder: { id: string; dir: string } | undefined;
  try {
    folder = createRunFolder(opts.runsDir, config.name);
    const { id, dir } = folder;
    writeFileAtomic(path.join(dir, runFiles.config), configToYaml(config));
    writeDataInfo(dir, info, data);
    const source = sourceState();
    if (source.diff) writeFileAtomic(path.join(dir, runFiles.sourceDiff), source.diff);
    const meta: RunMeta = {
      id, name: config.name, status: 'running', paradigm: config.model.paradigm, dataset: config.data.source,
      command: opts.command, seed: config.seed, backend: opts.backend, versions: versions(), git_commit: source.commit, git_dirty: source.dirty,
      started: new Date().toISOString(), ended: null, stages_done: [], stage: null, selection: {}, pid: process.pid, host: os.hostname(),
    };
    writeMeta(dir, meta);
    opts.onRunFolder?.(id, dir);
    opts.logger.info(`run ${id}: ${config.model.paradigm} on ${config.data.source} data (${info.splitSizes.train}/${info.splitSizes.val}/${info.splitSizes.test} train/val/test), ${model.params.count()} parameters`);
    return await trainStages(config, model, data, meta, dir, opts);
  } catch (e) {
    model.params.dispose();
    throw e;
  }
}

export async function trainResume(runId: string, runDir: string, opts: TrainOptions): Promise<TrainResult> {
  const meta = readMeta(runDir);
  const status = liveStatus(meta);
  if (status === 'done') throw new UserError('run is already done; nothing to resume', { where: runId, hint: 'start a new run with dmil train CONFIG' });
  if (status === 'running') throw new UserError(`run is still being trained by process ${meta.pid ?? '?'}`, { where: runId, hint: 'stop that process (Ctrl-C) first, or wait for it' });
  const config = readRunConfig(runDir);
  const { data } = await prepareForRun(config, readDataInfo(runDir), runDir, true);
  const model = buildModel(config, modelSpec(data));
  try {
    const last = meta.stages_done[meta.stages_done.length - 1];
    if (last) await loadStageCheckpoint(runDir, last, model);
    Object.assign(meta, { status: 'running', error: undefined, pid: process.pid, host: os.hostname() });
    meta.resumed = [...(meta.resumed ?? []), new Date().toISOString()];
    writeMeta(runDir, meta);
    opts.onRunFolder?.(runId, runDir);
    opts.logger.info(`resuming run ${runId} after ${meta.stages_done.length ? `stage ${last}` : 'no finished stage'}`);
    return await trainStages(config, model, data, meta, runDir, opts);
  } catch (e) {
    model.params.dispose();
    throw e;
  }
}

async function readResumeState(runDir: string, stage: string): Promise<StageSnapshot | undefined> {
  const dir = path.join(runDir, runFiles.resume);
  if (!fs.existsSync(path.join(dir, 'model.json'))) return undefined;
  const { tensors, topology } = await loadTensors(rollingCheckpointHandler(dir, ''));
  const loop = topology.loop as LoopState;
  if (loop.stage !== stage) {
    tf.dispose(Object.values(tensors));
    return undefined;
  }
  return { loop, tensors };
}

async function trainStages(config: Config, model: ParadigmModel, data: Dataset, meta: RunMeta, dir: string, opts: TrainOptions): Promise<TrainResult> {
  const metricsFile = path.join(dir, runFiles.metrics);
  const rows: MetricsRow[] = readMetrics(metricsFile);
  try {
    for (const stage of model.stages) {
      if (meta.stages_done.includes(stage.name)) continue;
      meta.stage = stage.name;
      writeMeta(dir, meta);
      const resumeFrom = await readResumeState(dir, stage.name);
      if (resumeFrom) opts.logger.info(`${stage.name}: continuing after epoch ${resumeFrom.loop.epochsDone}`);
      // Rows of this stage past the point it continues from came from work that was lost.
      const keep = rows.filter((r) => r.stage !== stage.name || (resumeFrom !== undefined && r.epoch <= resumeFrom.loop.epochsDone));
      rows.splice(0, rows.length, ...keep);
      let outcome: StageOutcome;
      try {
        outcome = await runStage({
          stage, model, data, train: stage.train ?? config.train, seed: config.seed, logger: opts.logger, resumeFrom, interrupted: opts.interrupted,
          onEpochEnd: async (snap, epochRows) => {
            rows.push(...epochRows);
            writeMetrics(metricsFile, rows);
            if (snap) await saveTensors(rollingCheckpointHandler(path.join(dir, runFiles.resume), `${stage.name}-${snap.loop.epochsDone}`), snap.tensors, { paradigm: model.paradigm, loop: snap.loop });
          },
        });
      } finally {
        if (resumeFrom) tf.dispose(Object.values(resumeFrom.tensors));
      }
      await saveTensors(stageCheckpointHandler(path.join(dir, runFiles.checkpoints, stage.name)), Object.fromEntries(model.params.entries()), { paradigm: model.paradigm, stage: stage.name });
      meta.stages_done.push(stage.name);
      meta.selection = { ...meta.selection, [stage.name]: selectionRecord(outcome) };
      writeMeta(dir, meta);
    }
    fs.rmSync(path.join(dir, runFiles.resume), { recursive: true, force: true });
    const [val, test] = await evaluateSplits({ runId: meta.id, runDir: dir, model, data, batchSize: config.train.eval_batch_size, seed: config.seed }, [{ split: 'val' }, { split: 'test' }]);
    Object.assign(meta, { status: 'done', stage: null, ended: new Date().toISOString() });
    writeMeta(dir, meta);
    return { id: meta.id, dir, val, test };
  } catch (e) {
    const interrupted = e instanceof Interrupted;
    Object.assign(meta, { status: interrupted ? 'interrupted' : 'failed', ended: new Date().toISOString(), error: interrupted ? undefined : (e as Error).message });
    writeMeta(dir, meta);
    throw e;
  } finally {
    model.params.dispose();
  }
}

/** What meta.json records of a stage's model selection. */
function selectionRecord(o: StageOutcome): StageSelection {
  const obs = (x: StageOutcome['best']) => ({ val_ce: x.ce, val_accuracy: x.accuracy, val_loss: x.loss });
  return { metric: o.metric, epochs: o.epochs, best_epoch: o.bestEpoch, best: obs(o.best), incoming: obs(o.incoming) };
}
