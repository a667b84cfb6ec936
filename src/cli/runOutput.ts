// What `decompose` and `predict` share: a finished run's predictions on one of its splits or on
// new data (--set data...), and where the result goes: a file the user named (checked first;
// `-` for standard output) or the run's own folder (`<run>/<kind>/<split>.<ext>`, under the run's
// lock). Results on other data get a record of that data beside them.
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import type { Predictions } from '../analysis/predictions';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { predictSamples } from '../experiment/predict';
import { loadFinishedRun, type LoadedRun } from '../experiment/runModel';
import { writeFileAtomic } from '../runs/atomic';
import { acquireRunLock } from '../runs/lock';
import { checkOutputFile, outputName, writeOutputFile, type OutputTarget } from '../runs/outputFile';
import { requireWritableRun, resolveRun } from '../runs/runFolder';
import { ensureFolder } from '../runs/storage';
import { dataRecord, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';

export interface RunOutputOptions extends CommonOptions {
  split?: EvalSplit;
  out?: string;
  force?: boolean;
  set: string[];
}

/** The options of a command that predicts with a run and writes the result: split, --out, --force, --set data.... */
export function withRunOutput(cmd: Command, ownFile: string): Command {
  cmd
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--out <file>', `output file, or - for standard output (default: ${ownFile})`)
    .option('--force', 'replace the --out file if it exists');
  return withDataSets(withBackend(withRunsDir(cmd)));
}

interface Target {
  /** The --out target, or undefined for the run's own folder. */
  target?: OutputTarget;
  /** Where the record of other data goes, beside --out. */
  sidecar?: OutputTarget;
}

export interface RunPredictions {
  runId: string;
  loaded: LoadedRun;
  split: EvalSplit;
  predictions: Predictions;
  /** Whether the result goes to standard output (then a command's summary goes to standard error). */
  toStdout: boolean;
  /** Writes the result (to --out, or `<run>/<kind>/<split>.<ext>`) and the data record; says where. */
  write(kind: string, ext: string, text: string): { file: string; record?: string };
}

/**
 * Resolves the run, checks --out before any work (or that the run's folder takes the result,
 * under its lock), loads the run and predicts on the split, then hands over to `use`.
 */
export async function withRunPredictions(ref: string, opts: RunOutputOptions, command: string, use: (r: RunPredictions) => void): Promise<void> {
  const run = resolveRun(ref, opts.runsDir);
  const plan = planTarget(run.dir, opts, command);
  // With --out nothing is written into the run, so it needs no lock (and may be read-only).
  const lock = plan.target ? undefined : acquireRunLock(run.dir, run.id, `dmil ${command}`);
  try {
    await startBackend(opts.backend, undefined, threadsFor(opts.threads));
    const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
    try {
      const split = splitOf(loaded, opts.split);
      const predictions = await predictSamples(loaded.model, loaded.data, splitIndices(loaded.data, split), loaded.config.train.eval_batch_size);
      const record = dataRecord(loaded, opts.set);
      const recordText = record ? `${JSON.stringify({ run: run.id, split, samples: predictions.ids.length, data: record }, null, 2)}\n` : undefined;
      use({
        runId: run.id, loaded, split, predictions, toStdout: plan.target?.file === null,
        write: (kind, ext, text) => writeTo(plan, path.join(run.dir, kind, `${resultName(split, loaded)}.${ext}`), text, recordText),
      });
    } finally {
      loaded.model.params.dispose();
    }
  } finally {
    lock?.release();
  }
}

function planTarget(runDir: string, opts: RunOutputOptions, command: string): Target {
  if (opts.out === undefined) {
    requireWritableRun(runDir, `${command} writes into the run unless --out names a file elsewhere`);
    return {};
  }
  const force = Boolean(opts.force);
  const target = checkOutputFile(opts.out, '--out', { force });
  const sidecar = target.file !== null && opts.set.length > 0 ? checkOutputFile(`${target.file}.data.json`, '--out', { force }) : undefined;
  return { target, sidecar };
}

function writeTo(plan: Target, ownFile: string, text: string, recordText: string | undefined): { file: string; record?: string } {
  if (plan.target) {
    writeOutputFile(plan.target, text);
    if (recordText && plan.sidecar) writeOutputFile(plan.sidecar, recordText);
    return { file: outputName(plan.target), record: recordText && plan.sidecar ? outputName(plan.sidecar) : undefined };
  }
  ensureFolder(path.dirname(ownFile));
  writeFileAtomic(ownFile, text);
  if (recordText) writeFileAtomic(`${ownFile}.data.json`, recordText);
  return { file: ownFile, record: recordText ? `${ownFile}.data.json` : undefined };
}
