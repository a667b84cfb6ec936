// Run folders: unique ids, creation that never overwrites, and the files every run holds.
//   runs/<id>/config.yaml  meta.json  log.txt  metrics.csv  data.json  split.csv  [source.diff]  [lock]
//             checkpoints/<stage>/  checkpoints/resume/  eval/<split>.json
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { editDistance } from '../config/schemaWalk';
import { UserError } from '../errors';
import { commitFolder, writeTempFolder } from './atomic';
import { storageFailure } from './storage';

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
} as const;

/**
 * Finds a run from what the user typed: a folder path holding meta.json, an id under `runsDir`,
 * or a unique prefix of one.
 */
export function resolveRun(ref: string, runsDir: string): { id: string; dir: string } {
  const isRun = (d: string) => fs.existsSync(path.join(d, runFiles.meta));
  if ((ref.includes('/') || ref.includes(path.sep) || ref === '.') && isRun(ref)) return { id: path.basename(path.resolve(ref)), dir: ref };
  const direct = path.join(runsDir, ref);
  if (isRun(direct)) return { id: ref, dir: direct };
  const candidates = fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((d) => d.startsWith(ref) && isRun(path.join(runsDir, d))) : [];
  if (candidates.length === 1) return { id: candidates[0], dir: path.join(runsDir, candidates[0]) };
  if (candidates.length > 1) {
    throw new UserError(`run id "${ref}" is ambiguous: ${candidates.length} runs start with it`, { where: runsDir, hint: `e.g. ${candidates.slice(0, 3).join(', ')}` });
  }
  const near = nearestRun(ref, runsDir);
  throw new UserError(`no run "${ref}"`, { where: runsDir, hint: `${near ? `did you mean ${near}? ` : ''}\`dmil runs\` lists the runs; pass --runs-dir if they live elsewhere` });
}

/** The run id whose start is closest to what was typed (a typo in an id or its prefix), if any is close. */
function nearestRun(ref: string, runsDir: string): string | undefined {
  if (!fs.existsSync(runsDir) || !fs.statSync(runsDir).isDirectory()) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const id of fs.readdirSync(runsDir)) {
    if (id.startsWith('.') || !fs.existsSync(path.join(runsDir, id, runFiles.meta))) continue;
    const d = editDistance(ref, id.slice(0, ref.length));
    if (d < bestD) [best, bestD] = [id, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(ref.length / 4)) ? best : undefined;
}
