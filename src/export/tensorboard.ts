// `dmil export --tensorboard DIR`: a run's (or each run of a sweep's) event file in DIR/<run id>/,
// the same events a live run writes (runEvents.ts), timed by its epochs; for a sweep, also the
// HParams experiment in DIR itself, naming the sweep's axes and the final metrics.
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFolderAtomic } from '../runs/atomic';
import { fileVersionEvent, type HParamValue } from '../tensorboard/events';
import { frameRecord } from '../tensorboard/record';
import { addConfig, addExperiment, addFinal, addRows, addSessionStart, eventKey, hparamValues, type EventSink } from '../tensorboard/runEvents';
import { rowTimes, type RunRecord } from './runRecord';

/** An export's events, in order, with no (tag, step) twice. */
class EventList implements EventSink {
  private readonly seen = new Set<string>();
  readonly events: Uint8Array[] = [];
  add(tag: string, step: number, event: Uint8Array): boolean {
    const key = eventKey(tag, step);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.events.push(event);
    return true;
  }
}

const fileName = (time: number) => `events.out.tfevents.${Math.floor(time)}.${os.hostname()}`;
const fileBytes = (time: number, events: Uint8Array[]) => Buffer.concat([frameRecord(fileVersionEvent(time)), ...events.map(frameRecord)]);

/** The event file of one run: what a live run with train.tensorboard writes, bar the running loss (not in metrics.csv). */
export function runEventFile(r: RunRecord, keys: readonly string[]): { name: string; bytes: Buffer } {
  const list = new EventList();
  addConfig(list, r.configYaml, r.started);
  addSessionStart(list, hparamValues(r.config, keys), r.id, r.started);
  const times = rowTimes(r);
  r.metrics.forEach((row, i) => addRows(list, [row], times[i]));
  const end = times[times.length - 1] ?? r.started;
  if (r.done) addFinal(list, r.reports, true, end);
  return { name: fileName(r.started), bytes: fileBytes(r.started, list.events) };
}

/** Writes DIR/<run id>/ for each run (each folder in one step), and for a sweep its experiment in DIR. */
export function exportTensorboard(out: string, runs: readonly RunRecord[], keys: (r: RunRecord) => string[], sweep?: { name: string; keys: string[] }): string[] {
  const written: string[] = [];
  for (const r of runs) {
    const { name, bytes } = runEventFile(r, keys(r));
    writeFolderAtomic(path.join(out, r.id), { [name]: bytes });
    written.push(path.join(out, r.id));
  }
  if (sweep) {
    const list = new EventList();
    const first = runs[0];
    const example: Record<string, HParamValue> = first ? hparamValues(first.config, sweep.keys) : Object.fromEntries(sweep.keys.map((k) => [k, '']));
    addExperiment(list, sweep.name, example, first?.started ?? Date.now() / 1000);
    const dir = path.join(out, `experiment-${sweep.name}`);
    writeFolderAtomic(dir, { [fileName(Date.now() / 1000)]: fileBytes(Date.now() / 1000, list.events) });
    written.push(dir);
  }
  return written;
}
