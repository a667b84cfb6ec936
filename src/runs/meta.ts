// meta.json: what a run is and how far it got.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { overwriteJsonInPlace, writeJsonAtomic } from './atomic';
import { DamagedFile, readRunJson } from './damaged';
import { lockHolder } from './lock';
import { isStorageError } from './storage';
import { runFiles } from './runFolder';

export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

/** How a stage chose the model it kept: the validation metric, the epoch (0: the model it started from), and both scores. */
export interface StageSelection {
  metric: string;
  epochs: number;
  best_epoch: number;
  best: { val_ce: number; val_accuracy: number; val_loss: number };
  incoming: { val_ce: number; val_accuracy: number; val_loss: number };
}

export interface RunMeta {
  id: string;
  name: string;
  status: RunStatus;
  paradigm: string;
  dataset: string;
  command: string[];
  seed: number;
  backend: { name: string; source: string; skipped: { backend: string; reason: string }[]; overrides: string[] };
  versions: Record<string, string>;
  git_commit: string | null;
  /** Whether the checkout had local changes (then source.diff in the run folder holds them). */
  git_dirty?: boolean;
  started: string;
  ended: string | null;
  /** Stages finished, in order. */
  stages_done: string[];
  /** The stage being trained, while running or when interrupted. */
  stage: string | null;
  /** Per finished stage, which epoch it kept and why. */
  selection?: Record<string, StageSelection>;
  error?: string;
  /** Each time the run was resumed. */
  resumed?: string[];
  /** Process and host training the run, to tell a live run from one that was killed. */
  pid?: number;
  host?: string;
}

/**
 * The status as it is now: a run marked running whose process is gone (killed, machine
 * restarted) is interrupted and can be resumed. The run's lock is the authority; the pid in
 * meta.json is the fallback for runs written before locks.
 */
export function liveStatus(meta: RunMeta, dir?: string): RunStatus {
  if (meta.status !== 'running') return meta.status;
  if (dir !== undefined && fs.existsSync(path.join(dir, runFiles.lock))) return lockHolder(dir) ? 'running' : 'interrupted';
  if (meta.pid === undefined || meta.host !== os.hostname()) return meta.status;
  try {
    process.kill(meta.pid, 0);
    return 'running';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'interrupted';
  }
}

const STATUSES: readonly RunStatus[] = ['running', 'done', 'failed', 'interrupted'];

export function readMeta(dir: string): RunMeta {
  const file = path.join(dir, runFiles.meta);
  const meta = readRunJson(file) as RunMeta;
  const bad = !meta || typeof meta !== 'object' ? 'not an object'
    : typeof meta.id !== 'string' ? 'no id'
      : !STATUSES.includes(meta.status) ? `unknown status ${JSON.stringify(meta.status)}`
        : !Array.isArray(meta.stages_done) || meta.stages_done.some((s) => typeof s !== 'string') ? 'no list of finished stages'
          : meta.status === 'done' && meta.stages_done.length === 0 ? 'done, but no stage finished'
            : typeof meta.paradigm !== 'string' ? 'no paradigm' : null;
  if (bad) throw new DamagedFile(file, bad);
  return meta;
}

/** Bytes of slack kept at the end of meta.json, so a failure can be recorded on a full disk. */
const META_RESERVE = 1024;

export function writeMeta(dir: string, meta: RunMeta): void {
  writeJsonAtomic(path.join(dir, runFiles.meta), meta, META_RESERVE);
}

/** meta.json's text, as writeMeta writes it (for a run folder created in one step). */
export const metaJson = (meta: RunMeta) => `${JSON.stringify(meta, null, 2)}${' '.repeat(META_RESERVE)}\n`;

/**
 * Records a run's end state even when the disk is full: an atomic write if possible, else the
 * bytes of the existing meta.json overwritten in place. Returns whether it was recorded.
 */
export function writeFinalMeta(dir: string, meta: RunMeta): boolean {
  try {
    writeMeta(dir, meta);
    return true;
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return overwriteJsonInPlace(path.join(dir, runFiles.meta), meta);
  }
}
