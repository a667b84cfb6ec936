// Run folders: unique ids, creation that never overwrites, and the files every run holds.
//   runs/<id>/config.yaml  meta.json  log.txt  metrics.csv  data.json  split.csv  [source.diff]  [lock]
//             checkpoints/<stage>/  checkpoints/resume/  eval/<split>.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { editDistance } from '../config/schemaWalk';
import { UserError } from '../errors';
import { commitFolder, removeStaleTemp, tempSuffix, writeTempFolder } from './atomic';
import { namesIn, storageFailure } from './storage';

export function timestampId(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

function ensureRunsDir(runsDir: string): void {
  try {
    fs.mkdirSync(runsDir, { recursive: true });
    fs.accessSync(runsDir, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why: Record<string, string> = { ENAMETOOLONG: 'its name is too long', EEXIST: 'a file of that name is in the way', ENOTDIR: 'a part of the path is a file', ENOSPC: 'no space left on the device', EROFS: 'the file system is read-only' };
    throw new UserError(`runs folder cannot be created or written: ${why[code] ?? 'permission denied'} (${code})`, { where: runsDir, hint: 'pass a writable folder with --runs-dir' });
  }
  if (!fs.statSync(runsDir).isDirectory()) throw new UserError('runs folder is a file, not a folder', { where: runsDir, hint: 'pass a folder with --runs-dir' });
  removeStaleTemp(runsDir);
}

/**
 * Creates a new run folder `<runsDir>/<name>-<yyyymmdd-hhmmss>-<hex>` holding `files`, in one
 * step: the files go into a hidden temporary folder, a free id is reserved with mkdir (atomic, it
 * fails on an existing folder, so two trainings started in the same second get different ids),
 * and the temporary folder is renamed onto the reserved, empty one. A kill leaves either no run or
 * a complete one.
 */
export function createRunFolder(runsDir: string, name: string, files: (id: string) => Record<string, string | Uint8Array>, now = new Date()): { id: string; dir: string } {
  ensureRunsDir(runsDir);
  for (let attempt = 0; attempt < 20; attempt++) {
    const id = `${name}-${timestampId(now)}-${randomBytes(2).toString('hex')}`;
    const dir = path.join(runsDir, id);
    if (fs.existsSync(dir)) continue;
    const tmp = writeTempFolder(dir, files(id));
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw storageFailure(e, dir);
    }
    commitFolder(tmp, dir, true);
    return { id, dir };
  }
  throw new Error(`could not find a free run id under ${runsDir}`);
}

export const runFiles = {
  config: 'config.yaml',
  meta: 'meta.json',
  log: 'log.txt',
  metrics: 'metrics.csv',
  data: 'data.json',
  split: 'split.csv',
  sourceDiff: 'source.diff',
  lock: 'lock',
  checkpoints: 'checkpoints',
  resume: path.join('checkpoints', 'resume'),
  eval: 'eval',
  /** TensorBoard event files (train.tensorboard). */
  tensorboard: 'tensorboard',
} as const;

/**
 * Finds a run from what the user typed: an id under `runsDir` or a unique prefix of one, or a
 * run folder's path (a folder holding meta.json; reading it checks the record). With `idOnly`
 * (what `dmil runs rm` deletes) only an id or prefix is taken, never a path, and the folder must
 * be a real folder directly in the runs folder whose meta.json is the run record of that id:
 * a folder that merely holds a file called meta.json is never deleted.
 */
export function resolveRun(ref: string, runsDir: string, opts: { idOnly?: boolean } = {}): { id: string; dir: string } {
  if (ref.trim() === '') throw new UserError('the run id is empty', { where: runsDir, hint: 'pass a run id, as `dmil runs` lists them; a script may have passed an unset variable' });
  const isPath = ref.includes('/') || ref.includes(path.sep) || ref === '.' || ref === '..';
  if (isPath) {
    if (opts.idOnly) throw new UserError('name the run by its id, not by a path', { where: ref, hint: `\`dmil runs --runs-dir ${runsDir}\` lists the ids; pass --runs-dir for runs elsewhere` });
    if (!fs.existsSync(path.join(ref, runFiles.meta))) throw new UserError('not a dmil run folder: it has no meta.json', { where: ref, hint: 'pass a run id from `dmil runs`, or the folder of a run dmil trained' });
    return { id: path.basename(path.resolve(ref)), dir: ref };
  }
  requireRunsFolder(runsDir);
  const found = findRun(ref, runsDir);
  if (opts.idOnly) {
    const problem = runRecordProblem(found.dir, found.id);
    if (problem) throw new UserError(`not a dmil run folder: ${problem}`, { where: found.dir, hint: 'dmil removes only the runs it trained; remove anything else by hand' });
  }
  return found;
}

function requireRunsFolder(runsDir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(runsDir);
  } catch {
    throw new UserError('runs folder does not exist', { where: runsDir, hint: 'pass the folder your runs are in with --runs-dir (default: runs)' });
  }
  if (!stat.isDirectory()) throw new UserError('runs folder is a file, not a folder', { where: runsDir, hint: 'pass a folder with --runs-dir' });
}

/** An id or unique prefix among the run folders directly in `runsDir`. */
function findRun(ref: string, runsDir: string): { id: string; dir: string } {
  const direct = path.join(runsDir, ref);
  if (!ref.startsWith('.') && fs.existsSync(direct)) {
    if (!fs.existsSync(path.join(direct, runFiles.meta))) {
      const hint = fs.existsSync(path.join(direct, runFiles.config)) ? 'it looks like a run whose meta.json was deleted: restore it from a backup, or remove the folder' : 'pass a run id from `dmil runs`';
      throw new UserError('not a dmil run folder: it has no meta.json', { where: direct, hint });
    }
    return { id: ref, dir: direct };
  }
  const candidates = ref.startsWith('.') ? [] : runIds(runsDir).filter((d) => d.startsWith(ref));
  if (candidates.length === 1) return { id: candidates[0], dir: path.join(runsDir, candidates[0]) };
  if (candidates.length > 1) {
    throw new UserError(`run id "${ref}" is ambiguous: ${candidates.length} runs start with it`, { where: runsDir, hint: `e.g. ${candidates.slice(0, 3).join(', ')}` });
  }
  const near = nearestRun(ref, runsDir);
  throw new UserError(`no run "${ref}"`, { where: runsDir, hint: `${near ? `did you mean ${near}? ` : ''}\`dmil runs\` lists the runs; pass --runs-dir if they live elsewhere` });
}

/** What keeps `dir` from being a run folder dmil may delete, or null: a real folder whose meta.json is the run record of `id`. */
function runRecordProblem(dir: string, id: string): string | null {
  const stat = fs.lstatSync(dir);
  if (stat.isSymbolicLink()) return 'it is a symbolic link, not a run folder';
  if (!stat.isDirectory()) return 'it is a file, not a run folder';
  let meta: { id?: unknown; status?: unknown; stages_done?: unknown; paradigm?: unknown } | null;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, runFiles.meta), 'utf8')) as typeof meta;
  } catch {
    return 'its meta.json is missing or not valid JSON';
  }
  if (!meta || typeof meta !== 'object' || typeof meta.id !== 'string' || typeof meta.status !== 'string' || !Array.isArray(meta.stages_done) || typeof meta.paradigm !== 'string') return 'its meta.json is not a dmil run record';
  if (meta.id !== id) return `its meta.json is the record of run "${meta.id}", not of "${id}" (a copied or renamed folder)`;
  return null;
}

/** Ids of the folders directly in `runsDir` that hold a meta.json (hidden and temporary folders are never runs). */
export function runIds(runsDir: string): string[] {
  return namesIn(runsDir).filter((d) => !d.startsWith('.') && fs.existsSync(path.join(runsDir, d, runFiles.meta)));
}

/** Whether dmil can write into a run folder (not on a read-only file system, not locked down). */
export function runIsWritable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function requireWritableRun(dir: string, hint: string): void {
  if (!runIsWritable(dir)) throw new UserError('the run folder is read-only', { where: dir, hint });
}

/**
 * Removes a run folder: first renamed aside in one step (on a read-only or locked-down runs folder
 * this fails and nothing is deleted), then deleted. A kill half-way leaves only a hidden folder,
 * which is never listed as a run and is removed by the next `dmil runs`.
 */
export function removeRunFolder(dir: string): void {
  const aside = path.join(path.dirname(dir), `.${path.basename(dir)}.removing${tempSuffix()}`);
  try {
    fs.renameSync(dir, aside);
  } catch (e) {
    throw storageFailure(e, dir);
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/** The run id whose start is closest to what was typed (a typo in an id or its prefix), if any is close. */
function nearestRun(ref: string, runsDir: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const id of runIds(runsDir)) {
    const d = editDistance(ref, id.slice(0, ref.length));
    if (d < bestD) [best, bestD] = [id, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(ref.length / 4)) ? best : undefined;
}
