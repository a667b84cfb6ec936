// An event file being written: `events.out.tfevents.<seconds>.<host>` in a folder, one per
// process (a resumed run adds a new file). Events are buffered and appended at each flush (an
// epoch's end), then flushed to disk; a process killed mid-append leaves a partial last record,
// which TensorBoard (and unframeRecords) stop before. A (tag, step) already written, in this
// file or in the folder's earlier files, is never written again: the epochs a resumed run
// trains again after its last checkpoint do not appear twice.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { storageFailure, writePoint } from '../runs/storage';
import { EventType } from './proto';
import { fileVersionEvent } from './events';
import { eventKey as key } from './runEvents';
import { frameRecord, unframeRecords } from './record';

export const EVENT_FILE = /^events\.out\.tfevents\./;

/** Every (tag, step) in the folder's event files. */
function writtenBefore(dir: string): Set<string> {
  const seen = new Set<string>();
  if (!fs.existsSync(dir)) return seen;
  for (const name of fs.readdirSync(dir).filter((n) => EVENT_FILE.test(n))) {
    for (const record of unframeRecords(fs.readFileSync(path.join(dir, name))).records) {
      const event = EventType.toObject(EventType.decode(record), { longs: Number }) as { step?: number; summary?: { value?: { tag: string }[] } };
      for (const v of event.summary?.value ?? []) seen.add(key(v.tag, event.step ?? 0));
    }
  }
  return seen;
}

export class EventWriter {
  private pending: Buffer[] = [];
  private constructor(readonly file: string, private readonly seen: Set<string>) {}

  /** A new event file in `dir` (created), knowing what the folder's earlier files hold. */
  static open(dir: string, now = Date.now()): EventWriter {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw storageFailure(e, dir);
    }
    const seen = writtenBefore(dir);
    const base = `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}`;
    let name = base;
    for (let i = 1; fs.existsSync(path.join(dir, name)); i++) name = `${base}.${i}`;
    const writer = new EventWriter(path.join(dir, name), seen);
    writer.pending.push(frameRecord(fileVersionEvent(now / 1000)));
    return writer;
  }

  /** Queues an event of one summary value unless (tag, step) was written before; true when queued. */
  add(tag: string, step: number, event: Uint8Array): boolean {
    if (this.seen.has(key(tag, step))) return false;
    this.seen.add(key(tag, step));
    this.pending.push(frameRecord(event));
    return true;
  }

  has(tag: string, step: number): boolean {
    return this.seen.has(key(tag, step));
  }

  /** Appends what is queued and flushes it to disk. */
  flush(): void {
    if (!this.pending.length) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'a');
      // Two appends with a write point between them: the fault tests kill a writer mid-record.
      const half = Math.floor(bytes.length / 2);
      fs.writeSync(fd, bytes.subarray(0, half));
      writePoint('tensorboard, mid-record');
      fs.writeSync(fd, bytes.subarray(half));
      fs.fsyncSync(fd);
    } catch (e) {
      throw storageFailure(e, this.file);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    writePoint('tensorboard');
  }
}
