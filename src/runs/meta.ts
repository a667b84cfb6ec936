// meta.json: what a run is and how far it got.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from './atomic';
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
 * restarted) is interrupted and can be resumed.
 */
export function liveStatus(meta: RunMeta): RunStatus {
  if (meta.status !== 'running' || meta.pid === undefined || meta.host !== os.hostname()) return meta.status;
  try {
    process.kill(meta.pid, 0);
    return 'running';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'interrupted';
  }
}

export function readMeta(dir: string): RunMeta {
  return JSON.parse(fs.readFileSync(path.join(dir, runFiles.meta), 'utf8')) as RunMeta;
}

export function writeMeta(dir: string, meta: RunMeta): void {
  writeJsonAtomic(path.join(dir, runFiles.meta), meta);
}
