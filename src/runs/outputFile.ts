// Files the user names for dmil to write (--out, --pointwise): checked before any work, and again
// just before the write, so that dmil never writes through a symbolic link, into a device, FIFO
// or socket, into a run or sweep folder (whose files only dmil writes), or over an existing file
// it was not told to replace. `-` means standard output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { tempSuffix, writeFileAtomic } from './atomic';
import { storageFailure } from './storage';

export interface OutputTarget {
  /** The file, or null for standard output. */
  file: string | null;
  option: string;
  /** Replace an existing regular file; undefined: the command never replaces one (no --force). */
  force?: boolean;
}

const SPECIAL: [(s: fs.Stats) => boolean, string][] = [
  [(s) => s.isFIFO(), 'a FIFO (named pipe)'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isCharacterDevice(), 'a device'],
  [(s) => s.isBlockDevice(), 'a device'],
];

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

/** The run or sweep folder that holds `dir` (itself or an ancestor), if any. */
export function dmilFolderAround(dir: string): { kind: 'run' | 'sweep'; dir: string } | null {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return null;
  }
  for (let d = real; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'meta.json')) && fs.existsSync(path.join(d, 'config.yaml'))) return { kind: 'run', dir: d };
    if (fs.existsSync(path.join(d, 'plan.json')) && fs.existsSync(path.join(d, 'cells'))) return { kind: 'sweep', dir: d };
    if (path.dirname(d) === d) return null;
  }
}

/** Refuses what `file` is now when it must not be written (a link, a special file, an existing file without --force). */
function checkExisting(file: string, option: string, force: boolean | undefined): void {
  const stat = lstatOrNull(file);
  if (!stat) return;
  if (stat.isSymbolicLink()) throw new UserError(`${option} is a symbolic link; dmil writes only regular files and never through a link`, { where: file, hint: `name the file itself, or use ${option} - for standard output` });
  const special = SPECIAL.find(([is]) => is(stat));
  if (special) throw new UserError(`${option} is ${special[1]}, not a regular file`, { where: file, hint: `name a regular file, or use ${option} - for standard output` });
  if (stat.isDirectory()) throw new UserError(`${option} is a folder; it needs a file name`, { where: file, hint: `e.g. ${option} ${path.join(file, 'out.csv')}` });
  if (!force) throw new UserError(`${option} exists`, { where: file, hint: force === false ? 'pass --force to replace it, or choose another name' : 'dmil never replaces it; choose another name' });
}

/**
 * Checks an output file option before any work: the folder exists and takes new files, and the
 * file is none of what `checkExisting` refuses, nor inside a run or sweep folder.
 */
export function checkOutputFile(out: string, option: string, opts: { force?: boolean; example?: string } = {}): OutputTarget {
  const force = opts.force;
  if (out === '-') return { file: null, option, force };
  const example = opts.example ?? 'scores.csv';
  if (out === '') throw new UserError(`${option} is empty`, { where: option, hint: `e.g. ${option} ${example}` });
  if (out.endsWith('/')) throw new UserError(`${option} is a folder; it needs a file name`, { where: out, hint: `e.g. ${option} ${path.join(out, example)}` });
  const dir = path.dirname(path.resolve(out));
  const dirStat = (() => {
    try {
      return fs.statSync(dir);
    } catch {
      return null;
    }
  })();
  if (!dirStat) throw new UserError('the folder of the output file does not exist', { where: out, hint: `create it first or choose another ${option}` });
  if (!dirStat.isDirectory()) throw new UserError('a part of the output path is a file, not a folder', { where: out, hint: `choose another ${option}` });
  const owner = dmilFolderAround(dir);
  if (owner) {
    throw new UserError(`${option} is inside a ${owner.kind} folder, whose files only dmil writes`, { where: out, hint: `choose a file outside ${owner.dir}; leave ${option} out to write to the ${owner.kind}'s own file` });
  }
  checkExisting(out, option, force);
  // Whether the folder really takes a new file (permissions, a read-only or special file system such as /proc).
  const probe = path.join(dir, `.${path.basename(out)}${tempSuffix()}`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const mapped = storageFailure(e, out);
    if (mapped instanceof UserError) throw mapped;
    throw new UserError(`cannot create a file in this folder (${code ?? 'error'})`, { where: out, hint: `choose another ${option}` });
  }
  return { file: out, option, force };
}

/** Writes an output checked by `checkOutputFile`: atomically for a file (checked again first), or to standard output. */
export function writeOutputFile(target: OutputTarget, data: string): void {
  if (target.file === null) {
    process.stdout.write(data);
    return;
  }
  checkExisting(target.file, target.option, target.force);
  writeFileAtomic(target.file, data);
}

/** What a message calls the output. */
export const outputName = (target: OutputTarget) => target.file ?? 'standard output';
