// The logging and progress interface that everything below cli/ writes to.
// The CLI supplies a real one (stderr, progress bars, log.txt); tests use a silent or capturing one.

export interface Progress {
  /**
   * Whether the next tick's fields would be shown. Reading a running loss off the device costs a
   * wait for the device, so callers read one only when this says it will be seen.
   */
  wantsFields(): boolean;
  /** Advance by `steps`; `fields` (loss, accuracy) are shown beside the bar. */
  tick(steps: number, fields?: () => Record<string, string>): void;
  stop(): void;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** A progress bar for `total` steps labelled `label`. */
  progress(label: string, total: number): Progress;
  /** Detail only shown at --verbose (and then kept in log.txt): where an epoch's time went. */
  detail?(message: string): void;
}

const nullProgress: Progress = { wantsFields: () => false, tick: () => undefined, stop: () => undefined };

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  progress: () => nullProgress,
};

/** A logger that keeps its lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warning: ${m}`),
    progress: () => nullProgress,
  };
}
