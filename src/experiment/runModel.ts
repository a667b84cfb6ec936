// Rebuilding a run's model and data from its folder: resolved config, data.json, and the
// checkpoint of its last finished stage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parse } from 'yaml';
import { configFromObject } from '../config/load';
import { configVersion, DMIL_VERSION, isNewer, upgradeConfig } from '../config/versions';
import type { Config } from '../config/schema';
import type { Dataset } from '../data/dataset';
import type { DataFingerprint } from '../data/fingerprint';
import { UserError } from '../errors';
import { buildModel } from '../paradigms';
import type { ParadigmModel } from '../paradigms/paradigm';
import { loadTensors, stageCheckpointHandler } from '../runs/checkpoint';
import { DamagedFile } from '../runs/damaged';
import { liveStatus, readMeta, type RunMeta } from '../runs/meta';
import { runFiles } from '../runs/runFolder';
import { modelSpec, prepareForRun, readDataInfo } from './data';

/**
 * A run's config.yaml as an object in today's layout, with the behaviour of the dmil version that
 * wrote it where keys were added since (src/config/versions.ts), and that version.
 */
export function readRunConfigObject(runDir: string): { raw: Record<string, unknown>; version: string } {
  const file = path.join(runDir, runFiles.config);
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DamagedFile(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not valid YAML');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DamagedFile(file, 'not a config (empty, or not a mapping)');
  const version = configVersion(raw as Record<string, unknown>, readMeta(runDir).versions?.dmil);
  if (isNewer(version)) throw new UserError(`the run was trained by dmil ${version}; this is dmil ${DMIL_VERSION}`, { where: runDir, hint: 'read it with that version or a newer one' });
  return { raw: upgradeConfig(raw as Record<string, unknown>, version).config, version };
}

export function readRunConfig(runDir: string, sets: readonly string[] = []): Config {
  const file = path.join(runDir, runFiles.config);
  const { raw, version } = readRunConfigObject(runDir);
  try {
    return configFromObject(raw, sets, file).config;
  } catch (e) {
    // A --set the user gave is their error; anything else means the saved config was changed.
    if (sets.length > 0 || !(e instanceof UserError)) throw e;
    throw new DamagedFile(file, `not a valid config of dmil ${version} (${e.oneLine()})`);
  }
}

export async function loadStageCheckpoint(runDir: string, stage: string, model: ParadigmModel, runId = path.basename(runDir)): Promise<void> {
  let tensors: tf.NamedTensorMap;
  try {
    ({ tensors } = await loadTensors(stageCheckpointHandler(path.join(runDir, runFiles.checkpoints, stage))));
  } catch (e) {
    throw e instanceof DamagedFile ? e.withHint(`dmil train --resume ${runId} trains stage ${stage} again from the stage before`) : e;
  }
  try {
    model.params.assign(tensors);
  } catch (e) {
    tf.dispose(Object.values(tensors));
    throw new DamagedFile(path.join(runDir, runFiles.checkpoints, stage, 'model.json'), `its weights do not fit this run's model (${(e as Error).message.split('\n')[0]})`, `dmil train --resume ${runId} trains stage ${stage} again`);
  }
  tf.dispose(Object.values(tensors));
}

export interface LoadedRun {
  meta: RunMeta;
  config: Config;
  data: Dataset;
  model: ParadigmModel;
  /** True when `sets` named other data: every file is as the user gave it, and no split is pinned. */
  newData: boolean;
  fingerprint: DataFingerprint;
}

/**
 * A finished run, ready to predict. `sets` may only point it at other data of the same layout
 * (`data.*` keys): the model is the run's.
 */
export async function loadFinishedRun(runId: string, runDir: string, sets: readonly string[] = []): Promise<LoadedRun> {
  const notData = sets.find((s) => !/^data\./.test(s.trim()));
  if (notData) throw new UserError('only data.* keys can be changed when reading a run: the model and its training are the run\'s', { where: `--set ${notData}`, hint: 'train a new run to change anything else' });
  const meta = readMeta(runDir);
  const status = liveStatus(meta, runDir);
  if (status !== 'done') {
    const hint = status === 'running' ? 'wait for it to finish' : `finish it with: dmil train --resume ${runId}`;
    throw new UserError(`run is ${status}, not done; it has no final model yet`, { where: runId, hint });
  }
  const config = readRunConfig(runDir, sets);
  const newData = sets.length > 0;
  const { data, fingerprint } = await prepareForRun(config, readDataInfo(runDir), runDir, !newData);
  const model = buildModel(config, modelSpec(data));
  await loadStageCheckpoint(runDir, meta.stages_done[meta.stages_done.length - 1], model, runId);
  return { meta, config, data, model, newData, fingerprint };
}
