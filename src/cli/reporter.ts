// The CLI's Logger: messages to stderr and to the run's log.txt; progress as a cli-progress bar
// when stderr is a terminal, otherwise a plain line every few seconds (CI logs, pipes).
import * as fs from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import type { Logger, Progress } from '../log';

export interface CliReporter extends Logger {
  /** The command's one-line result: shown even with -q (on stderr; stdout keeps the run id). */
  result(message: string): void;
  /** Start copying messages (and those so far) into this file. */
  teeTo(file: string): void;
  close(): void;
}

interface ReporterOptions {
  quiet: boolean;
  verbose?: boolean;
  plainEverySeconds?: number;
  stream?: NodeJS.WriteStream;
}

export function cliReporter(opts: ReporterOptions): CliReporter {
  const stream = opts.stream ?? process.stderr;
  const log = new LogCopy((warning) => {
    if (!opts.quiet) stream.write(`${warning}\n`);
  });
  let activeBar: SingleBar | undefined;
  const write = (line: string) => {
    activeBar?.stop();
    stream.write(`${line}\n`);
  };
  const show = (line: string) => {
    if (!opts.quiet) write(line);
  };
  return {
    info(message) {
      log.record(message);
      show(message);
    },
    detail(message) {
      if (!opts.verbose) return;
      log.record(message);
      show(message);
    },
    result(message) {
      log.record(message);
      write(message);
    },
    warn(message) {
      log.record(`warning: ${message}`);
      write(`warning: ${message}`);
    },
    progress(label, total): Progress {
      if (opts.quiet) return { wantsFields: () => false, tick: () => undefined, stop: () => undefined };
      if (!stream.isTTY) return plainProgress(label, total, stream, (opts.plainEverySeconds ?? 30) * 1000);
      const bar = terminalBar(label, total, stream);
      activeBar = bar.bar;
      return { wantsFields: () => true, tick: bar.tick, stop: () => {
        bar.bar.stop();
        if (activeBar === bar.bar) activeBar = undefined;
      } };
    },
    teeTo: (file) => log.teeTo(file),
    close() {
      activeBar?.stop();
      log.close();
    },
  };
}

/** log.txt: a copy of what the terminal shows, stamped; lines before the file exists wait. When it cannot be written (disk full) the run goes on and says so once. */
class LogCopy {
  private readonly pending: string[] = [];
  private fd: number | undefined;
  private broken = false;

  constructor(private readonly warn: (message: string) => void) {}

  record(line: string): void {
    const stamped = `${new Date().toISOString()} ${line}\n`;
    if (this.fd === undefined) this.pending.push(stamped);
    else this.append(stamped);
  }

  teeTo(file: string): void {
    try {
      this.fd = fs.openSync(file, 'a');
    } catch {
      this.broken = true;
      return;
    }
    for (const line of this.pending.splice(0)) this.append(line);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private append(text: string): void {
    if (this.fd === undefined || this.broken) return;
    try {
      fs.writeSync(this.fd, text);
    } catch (e) {
      this.broken = true;
      this.warn(`warning: log.txt can no longer be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); messages go to this terminal only`);
    }
  }
}

const joinFields = (fields?: Record<string, string>) => (fields ? Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' | ') : '');

/** A cli-progress bar taking the width the text leaves (about 95 characters of fields and counts). */
function terminalBar(label: string, total: number, stream: NodeJS.WriteStream): { bar: SingleBar; tick: Progress['tick'] } {
  const width = stream.columns || 120;
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} steps | {fields}`, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 20, barsize: Math.max(10, width - label.length - 110), linewrap: false },
    Presets.shades_classic,
  );
  bar.start(total, 0, { fields: '' });
  let fields = '';
  return {
    bar,
    tick: (steps, f) => {
      if (f) fields = joinFields(f());
      bar.increment(steps, { fields });
    },
  };
}

/** Pipes and CI logs: the epoch's own log line carries the fields; during long epochs a line every `every` ms says how far it got. */
function plainProgress(label: string, total: number, stream: NodeJS.WriteStream, every: number): Progress {
  let done = 0;
  let last = Date.now();
  let latest: (() => Record<string, string>) | undefined;
  return {
    wantsFields: () => Date.now() - last >= every,
    tick(steps, f) {
      done += steps;
      if (f) latest = f;
      if (Date.now() - last >= every) {
        last = Date.now();
        const fields = joinFields(latest?.());
        stream.write(`${label}: ${done}/${total} steps${fields ? ` | ${fields}` : ''}\n`);
      }
    },
    stop: () => undefined,
  };
}
