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

export function cliReporter(opts: { quiet: boolean; verbose?: boolean; plainEverySeconds?: number; stream?: NodeJS.WriteStream }): CliReporter {
  const stream = opts.stream ?? process.stderr;
  const every = (opts.plainEverySeconds ?? 30) * 1000;
  const pending: string[] = [];
  let logFd: number | undefined;
  let activeBar: SingleBar | undefined;

  let logBroken = false;
  // log.txt is a copy of what the terminal shows; when it cannot be written (disk full) the run
  // goes on and says so once.
  const append = (text: string) => {
    if (logFd === undefined || logBroken) return;
    try {
      fs.writeSync(logFd, text);
    } catch (e) {
      logBroken = true;
      if (!opts.quiet) stream.write(`warning: log.txt can no longer be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); messages go to this terminal only\n`);
    }
  };
  const record = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}\n`;
    if (logFd === undefined) pending.push(stamped);
    else append(stamped);
  };
  const show = (line: string) => {
    if (opts.quiet) return;
    if (activeBar) activeBar.stop();
    stream.write(`${line}\n`);
  };

  return {
    info(message) {
      record(message);
      show(message);
    },
    detail(message) {
      if (!opts.verbose) return;
      record(message);
      show(message);
    },
    result(message) {
      record(message);
      if (activeBar) activeBar.stop();
      stream.write(`${message}\n`);
    },
    warn(message) {
      record(`warning: ${message}`);
      if (activeBar) activeBar.stop();
      stream.write(`warning: ${message}\n`);
    },
    progress(label, total): Progress {
      if (opts.quiet) return { tick: () => undefined, stop: () => undefined };
      const join = (fields?: Record<string, string>) => (fields ? Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' | ') : '');
      if (stream.isTTY) {
        // The bar takes the width the text leaves (about 95 characters of fields and counts).
        const width = stream.columns || 120;
        const bar = new SingleBar(
          { format: `${label} [{bar}] {value}/{total} steps | {fields}`, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 20, barsize: Math.max(10, width - label.length - 110), linewrap: false },
          Presets.shades_classic,
        );
        bar.start(total, 0, { fields: '' });
        activeBar = bar;
        let fields = '';
        return {
          tick: (steps, f) => {
            if (f) fields = join(f());
            bar.increment(steps, { fields });
          },
          stop: () => {
            bar.stop();
            if (activeBar === bar) activeBar = undefined;
          },
        };
      }
      // Pipes and CI logs: the epoch's own log line carries the fields; during long epochs a
      // line every `every` seconds says how far it got.
      let done = 0;
      let last = Date.now();
      let latest: (() => Record<string, string>) | undefined;
      return {
        tick(steps, f) {
          done += steps;
          if (f) latest = f;
          if (Date.now() - last >= every) {
            last = Date.now();
            const fields = join(latest?.());
            stream.write(`${label}: ${done}/${total} steps${fields ? ` | ${fields}` : ''}\n`);
          }
        },
        stop: () => undefined,
      };
    },
    teeTo(file) {
      try {
        logFd = fs.openSync(file, 'a');
      } catch {
        logBroken = true;
        return;
      }
      for (const line of pending.splice(0)) append(line);
    },
    close() {
      activeBar?.stop();
      if (logFd !== undefined) fs.closeSync(logFd);
      logFd = undefined;
    },
  };
}
