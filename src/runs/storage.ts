// File-system failures the user can fix (disk full, permissions, read-only, name too long) as
// one line naming the path, and the test hooks that inject faults at write points.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

const FIXES: Record<string, { what: string; hint: string }> = {
  ENOSPC: { what: 'no space left on the device', hint: 'free some space, or pass another --runs-dir' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'free some space, or pass another --runs-dir' },
  EACCES: { what: 'permission denied', hint: 'make the folder writable, or pass another --runs-dir / --out' },
  EPERM: { what: 'operation not permitted', hint: 'make the folder writable, or pass another --runs-dir / --out' },
  EROFS: { what: 'the file system is read-only', hint: 'pass a folder on a writable file system' },
  ENAMETOOLONG: { what: 'file name too long', hint: 'use a shorter config `name` or a shorter --runs-dir' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', hint: 'pass a folder' },
  EISDIR: { what: 'the path is a folder, not a file', hint: 'pass a file name' },
};

/** A write the file system refused; exit code 2 like other input the user can fix. */
export class StorageError extends UserError {
  readonly code: string;
  constructor(code: string, file: string, hint?: string) {
    const fix = FIXES[code];
    super(`${fix.what} (${code}) writing this file`, { where: file, hint: hint ?? fix.hint });
    this.name = 'StorageError';
    this.code = code;
  }
}

/** The StorageError for a file-system error the user can fix, else the error unchanged. */
export function storageFailure(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code && FIXES[code] && !(e instanceof UserError) ? new StorageError(code, file) : e;
}

/** The names in a folder; none when it is missing or cannot be read. */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Creates a folder (and its parents); a failure is a StorageError naming it. A recursive mkdir on
 * a read-only file system can say ENOENT; the nearest folder that exists says why.
 */
export function ensureFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    let cause: unknown = e;
    let existing = dir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    try {
      fs.accessSync(existing, fs.constants.W_OK);
    } catch (why) {
      cause = why;
    }
    throw storageFailure(cause, dir);
  }
}

export function isStorageError(e: unknown): e is StorageError {
  return e instanceof StorageError;
}

// Fault injection for the fault-tolerance tests (never set in normal use):
//   DMIL_FAULT_KILL_AT=N   SIGKILL this process at the N-th write point
//   DMIL_FAULT_ENOSPC_AT=N the N-th file write fails half-way with ENOSPC, like a full disk
// A write point is each step after which the run folder is in a new state: a temporary file
// written and flushed, and its rename into place.
const killAt = Number(process.env.DMIL_FAULT_KILL_AT ?? 0);
const enospcAt = Number(process.env.DMIL_FAULT_ENOSPC_AT ?? 0);
let points = 0;
let writes = 0;

/** A write point; `what` names it in DMIL_FAULT_COUNT's lines, for tests that kill at a particular kind. */
export function writePoint(what?: string): void {
  points += 1;
  if (killAt > 0 && points === killAt) process.kill(process.pid, 'SIGKILL');
  if (process.env.DMIL_FAULT_COUNT) process.stderr.write(`dmil-fault: write point ${points}${what ? ` (${what})` : ''}\n`);
}

/** True when this file write is to fail with ENOSPC (test hook). */
export function injectedNoSpace(): boolean {
  writes += 1;
  return enospcAt > 0 && writes >= enospcAt;
}
