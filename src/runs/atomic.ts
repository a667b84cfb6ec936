// Atomic file writes: write a temporary file beside the target, check every byte went out, flush
// it, then rename over the target. A reader sees the old file or the new one, never half of one;
// a failed write removes its temporary file and names the target in the error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { injectedNoSpace, namesIn, storageFailure, writePoint } from './storage';

/**
 * Names of temporary files and folders these writers leave only when killed:
 * `.tmp-<host>-<pid>-<random>` (host: a short hash of the host name, so that a runs folder shared
 * between machines is cleaned only by the machine that can tell whether the writer is alive), or
 * `.tmp-<pid>-<random>` as versions before 0.3 named them.
 */
export const TEMP_PATTERN = /\.tmp-(?:([0-9a-f]{6})-)?(\d+)-[0-9a-f]{8}$/;
const HOST_TAG = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 6);
/** The suffix that makes a name temporary: see TEMP_PATTERN. */
export const tempSuffix = () => `.tmp-${HOST_TAG}-${process.pid}-${randomBytes(4).toString('hex')}`;
const tempName = (target: string) => `${target}${tempSuffix()}`;

/** Whether a temporary name's writer is gone: it ran on this host and its process no longer exists. */
export function isStaleTemp(name: string): boolean {
  const m = TEMP_PATTERN.exec(name);
  if (!m) return false;
  if (m[1] !== undefined && m[1] !== HOST_TAG) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/**
 * Removes what killed writers left directly in a shared folder (the runs folder, a sweep folder):
 * hidden temporary files and folders whose process is gone. Live writers' files are kept.
 */
export function removeStaleTemp(dir: string): string[] {
  const removed: string[] = [];
  for (const name of namesIn(dir).filter(isStaleTemp)) {
    try {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(path.join(dir, name));
    } catch {
      // A read-only folder keeps them; they are never read as results.
    }
  }
  return removed;
}

/** Writes all of `data` to a new file and flushes it; throws on a short write. */
function writeFully(file: string, data: Uint8Array): void {
  const fd = fs.openSync(file, 'wx');
  try {
    let done = 0;
    while (done < data.byteLength) {
      if (injectedNoSpace()) {
        fs.writeSync(fd, data, done, Math.floor((data.byteLength - done) / 2));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
      }
      const n = fs.writeSync(fd, data, done, data.byteLength - done);
      if (n <= 0) throw Object.assign(new Error(`short write to ${file}`), { code: 'ENOSPC' });
      done += n;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const bytes = (data: string | Uint8Array) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(tempName(file))}`);
  try {
    writeFully(tmp, bytes(data));
    writePoint();
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw storageFailure(e, file);
  }
  fsyncDir(dir);
  writePoint();
}

/**
 * JSON written atomically. `reserve` pads the file with trailing spaces to leave that many bytes
 * of room, so `overwriteJsonInPlace` can still record a failure when the disk is full.
 */
export function writeJsonAtomic(file: string, value: unknown, reserve = 0): void {
  const text = JSON.stringify(value, null, 2);
  writeFileAtomic(file, reserve > 0 ? `${text}${' '.repeat(reserve)}\n` : `${text}\n`);
}

/**
 * Last resort when the disk is full: rewrites an existing file's bytes in place (no new blocks
 * needed), padded with spaces to its old size. Not atomic; returns false when it does not fit.
 */
export function overwriteJsonInPlace(file: string, value: unknown): boolean {
  const text = JSON.stringify(value, null, 2);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (Buffer.byteLength(text) + 1 > size) return false;
  const buf = Buffer.from(`${text}${' '.repeat(size - Buffer.byteLength(text) - 1)}\n`);
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, buf, 0, buf.byteLength, 0);
    fs.fsyncSync(fd);
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `files` into a new temporary folder beside `dir` (hidden, removed again on failure) and
 * returns its path; `commitFolder` renames it into place.
 */
export function writeTempFolder(dir: string, files: Record<string, string | Uint8Array>): string {
  const tmp = path.join(path.dirname(dir), `.${path.basename(tempName(dir))}`);
  let current = dir;
  try {
    fs.mkdirSync(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) {
      current = path.join(dir, name);
      // Names may hold folders (plots/metrics/loss.tsv).
      if (path.dirname(name) !== '.') fs.mkdirSync(path.join(tmp, path.dirname(name)), { recursive: true });
      writeFully(path.join(tmp, name), bytes(data));
    }
    fsyncDir(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw storageFailure(e, current);
  }
  writePoint();
  return tmp;
}

/**
 * Renames a folder from `writeTempFolder` to `dir`. Fails if `dir` exists, unless `replaceEmpty`
 * and it is an empty folder (a run id just reserved by mkdir). Removes `tmp` on failure.
 */
export function commitFolder(tmp: string, dir: string, replaceEmpty = false): void {
  try {
    if (fs.existsSync(dir) && !(replaceEmpty && fs.readdirSync(dir).length === 0)) throw new Error(`${dir} already exists; refusing to overwrite it`);
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw storageFailure(e, dir);
  }
  fsyncDir(path.dirname(dir));
  writePoint();
}

/** Creates `dir` with its contents in one step; fails if `dir` exists (nothing is ever overwritten). */
export function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  commitFolder(writeTempFolder(dir, files), dir);
}

/** Removes temporary files and folders under `dir` (one level, and each subfolder) left by a killed writer. */
export function removeTempFiles(dir: string, depth = 2): string[] {
  const removed: string[] = [];
  if (!fs.existsSync(dir)) return removed;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (TEMP_PATTERN.test(entry.name)) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } else if (entry.isDirectory() && depth > 1) {
      removed.push(...removeTempFiles(p, depth - 1));
    }
  }
  return removed;
}
