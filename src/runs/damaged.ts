// A file of a run folder that cannot be read as written: one line naming it, and what to do.
import * as fs from 'node:fs';
import { UserError } from '../errors';

export class DamagedFile extends UserError {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string, hint?: string) {
    super(`damaged run file: ${reason}`, { where: file, hint: hint ?? 'restore it from a backup, or train the run again' });
    this.name = 'DamagedFile';
    this.file = file;
    this.reason = reason;
  }

  /** The same damage with another remedy. */
  withHint(hint: string): DamagedFile {
    return new DamagedFile(this.file, this.reason, hint);
  }
}

/** A run file's parsed JSON; a missing or unparsable file is a DamagedFile naming it. */
export function readRunJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DamagedFile(file, 'missing');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DamagedFile(file, 'not valid JSON');
  }
}
