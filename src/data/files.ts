// Checks on data before it is read: the file exists, is a file (not a folder) and can be read;
// the data fits in memory.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { UserError } from '../errors';

export function requireFile(file: string, what = 'data file', hint = 'check the path (relative paths resolve against the config file)'): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UserError(`${what} not found`, { where: file, hint });
  }
  if (stat.isDirectory()) throw new UserError(`${what} is a folder, not a file`, { where: file, hint: 'name the file inside it' });
  // A device (/dev/zero) or a pipe never ends or cannot be read twice (data is fingerprinted, then read).
  if (!stat.isFile()) {
    const kind = stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : 'a device';
    throw new UserError(`${what} is ${kind}, not a regular file`, { where: file, hint: 'write the data to a file first' });
  }
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UserError(`${what} cannot be read (permission denied)`, { where: file, hint: 'make it readable' });
  }
}

/** The largest magnitude a float32 holds; data beyond it would become Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Refuses data that cannot fit in memory before allocating it: `values` float32 numbers (the
 * training copies double that), against half of this machine's memory.
 */
export function requireFits(values: number, where: string, hint: string): void {
  const bytes = values * 4 * 2;
  const limit = Math.min(os.totalmem() / 2, 4 * 2 ** 30 * 4);
  if (!Number.isFinite(bytes) || bytes > limit || values > 2 ** 32 - 1) {
    const gib = (b: number) => `${(b / 2 ** 30).toPrecision(3)} GiB`;
    throw new UserError(`the data would need about ${gib(bytes)} of memory; this machine has ${gib(os.totalmem())}`, { where, hint });
  }
}
