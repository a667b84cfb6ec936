// Where a command that reads a finished run writes what it computed on some data (`decompose`,
// `predict`): a file the user named (checked; `-` for standard output), or the run's own folder
// (`<run>/<kind>/<split>.<ext>`). Results on other data get a record of that data beside them.
import * as path from 'node:path';
import { writeFileAtomic } from '../runs/atomic';
import { checkOutputFile, outputName, writeOutputFile, type OutputTarget } from '../runs/outputFile';
import { requireWritableRun } from '../runs/runFolder';
import { ensureFolder } from '../runs/storage';

export interface RunOutput {
  /** The --out target, or undefined for the run's own folder. */
  target?: OutputTarget;
  /** Where the record of other data goes, beside --out. */
  sidecar?: OutputTarget;
}

/**
 * Checks --out before any work: a user's file (and its `.data.json` when `newData`), or the run's
 * folder, which must then be writable.
 */
export function planRunOutput(runDir: string, out: string | undefined, force: boolean, newData: boolean, command: string): RunOutput {
  if (out === undefined) {
    requireWritableRun(runDir, `${command} writes into the run unless --out names a file elsewhere`);
    return {};
  }
  const target = checkOutputFile(out, '--out', { force });
  const sidecar = target.file !== null && newData ? checkOutputFile(`${target.file}.data.json`, '--out', { force }) : undefined;
  return { target, sidecar };
}

/** Writes the text (and the data record, if any); returns where, for the message. */
export function writeRunOutput(plan: RunOutput, ownFile: string, text: string, recordText: string | undefined): { file: string; record?: string } {
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
