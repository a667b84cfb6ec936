// One writer per run: `<run>/lock` holds the pid and host of the process that writes into the run
// (train, resume, eval, decompose). It is created with O_EXCL, so of two processes at once exactly
// one gets it. A lock whose process is gone (same host, pid not alive) is stale and taken over.
// Sweeps use the same lock: one `dmil sweep` per sweep folder, one process per cell.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors';
import { storageFailure } from './storage';

export const LOCK_FILE = 'lock';

export interface LockInfo {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export function lockContent(command: string): string {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command };
  return `${JSON.stringify(info)}\n`;
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : null;
  } catch {
    return null;
  }
}

/** Whether the lock's process is alive (on another host we cannot tell, so it counts as alive). */
export function lockHolderAlive(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return true;
  if (info.pid === process.pid) return true;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of a run's lock (or of the lock file `file` in it), or null. */
export function lockHolder(runDir: string, file = LOCK_FILE): LockInfo | null {
  const info = readLock(path.join(runDir, file));
  return info && lockHolderAlive(info) ? info : null;
}

export interface RunLock {
  release(): void;
}

/**
 * Takes the run's lock or fails with one line naming the process that holds it. A stale lock (its
 * process is gone) is moved aside first; if what was moved turns out to be live, it is put back.
 */
export function acquireRunLock(runDir: string, runId: string, command: string): RunLock {
  return acquireLock(path.join(runDir, LOCK_FILE), 'run', runId, command);
}

/** The lock file `file` of a thing (`what`: run, sweep, sweep cell) named `id`; see acquireRunLock. */
export function acquireLock(file: string, what: string, id: string, command: string): RunLock {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        const content = Buffer.from(lockContent(command));
        if (fs.writeSync(fd, content) !== content.byteLength) throw Object.assign(new Error(`short write to ${file}`), { code: 'ENOSPC' });
        fs.fsyncSync(fd);
      } catch (e) {
        // A lock that could not be written whole (a full disk) must not be left to block the next command.
        fs.closeSync(fd);
        fs.rmSync(file, { force: true });
        throw e;
      }
      fs.closeSync(fd);
      return ownedLock(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw storageFailure(e, file);
    }
    const info = readLock(file);
    if (info && lockHolderAlive(info)) {
      throw new UserError(`${what} is in use by process ${info.pid} on ${info.host} (${info.command}, since ${info.since})`, {
        where: id, hint: `wait for it to finish or stop it; if that process is gone, delete ${file}`,
      });
    }
    if (!info && Date.now() - safeMtime(file) < 2000) {
      throw new UserError(`${what} is being locked by another process right now`, { where: id, hint: 'try again in a moment' });
    }
    const aside = `${file}.stale-${process.pid}-${randomBytes(2).toString('hex')}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue;
    }
    const moved = readLock(aside);
    if (moved && lockHolderAlive(moved)) {
      fs.renameSync(aside, file);
      continue;
    }
    fs.rmSync(aside, { force: true });
  }
  throw new UserError(`could not take the ${what}'s lock (other processes keep taking it)`, { where: id, hint: `try again when no other dmil command works on this ${what}` });
}

function safeMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** A lock this process holds (also one created as part of a new run folder). */
export function ownedLock(file: string): RunLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    const info = readLock(file);
    if (info?.pid === process.pid) fs.rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { release };
}
