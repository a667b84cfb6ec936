// Bringing a run folder back to a consistent state before it is resumed (README, "What a kill
// leaves behind"). Each step of a run has one commit point:
//   the run exists        when its folder is renamed into place (config, data, split, meta, lock);
//   an epoch is done      when checkpoints/resume/model.json is renamed into place;
//   a stage is done       when checkpoints/<stage>/ is renamed into place (it holds its selection);
//   the run is done       when meta.json says so (after eval/val.json and eval/test.json).
// meta.json's stage list is a summary of the stage checkpoints; metrics.csv rows past the
// commit point are dropped when a stage continues. So a kill between any two writes leaves
// temporary files (removed here), a stage checkpoint meta.json does not list yet (adopted here),
// or metrics rows without their checkpoint (dropped by the training loop).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempFiles } from './atomic';
import { readCheckpoint } from './checkpoint';
import { DamagedFile } from './damaged';
import type { RunMeta, StageSelection } from './meta';
import { runFiles } from './runFolder';

export interface Recovery {
  /** Temporary files of killed writes that were removed. */
  removedTemp: string[];
  /** Stages whose committed checkpoint meta.json did not list yet. */
  adopted: string[];
  /** Stages whose checkpoint was damaged and will be trained again (with every later stage). */
  retrain: { stage: string; damage: string }[];
}

/** Reconciles meta.stages_done with the stage checkpoints on disk, in `stageOrder`; mutates `meta`. */
export function recoverRunFolder(dir: string, meta: RunMeta, stageOrder: readonly string[]): Recovery {
  const removedTemp = removeTempFiles(dir);
  const adopted: string[] = [];
  const retrain: Recovery['retrain'] = [];
  const done: string[] = [];
  const selection: Record<string, StageSelection> = {};
  for (const stage of stageOrder) {
    const ckpt = path.join(dir, runFiles.checkpoints, stage);
    if (!fs.existsSync(ckpt)) {
      if (meta.stages_done.includes(stage)) retrain.push({ stage, damage: `${path.relative(dir, ckpt)} missing` });
      break;
    }
    let topology: Record<string, unknown>;
    try {
      topology = (readCheckpoint(ckpt).modelTopology ?? {}) as Record<string, unknown>;
    } catch (e) {
      if (!(e instanceof DamagedFile)) throw e;
      retrain.push({ stage, damage: `${path.relative(dir, e.file)} ${e.reason}` });
      break;
    }
    done.push(stage);
    if (!meta.stages_done.includes(stage)) adopted.push(stage);
    const sel = (topology.selection as StageSelection | undefined) ?? meta.selection?.[stage];
    if (sel) selection[stage] = sel;
  }
  // Checkpoints after the first missing or damaged one belong to work that is redone; they are
  // kept aside (never deleted) under a name no reader looks at.
  for (const stage of stageOrder.slice(done.length)) {
    const ckpt = path.join(dir, runFiles.checkpoints, stage);
    if (fs.existsSync(ckpt)) fs.renameSync(ckpt, path.join(dir, runFiles.checkpoints, `.${stage}.replaced-${Date.now()}`));
  }
  if (retrain.length > 0 || adopted.length > 0 || done.length !== meta.stages_done.length) {
    meta.stages_done = done;
    meta.selection = selection;
  }
  return { removedTemp, adopted, retrain };
}
