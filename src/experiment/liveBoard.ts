// TensorBoard while training (train.tensorboard): the run's event file in runs/<id>/tensorboard/,
// opened with the resolved config and the session's hyper-parameters, appended and flushed at each
// epoch's end (with the running losses of its steps), and closed with the final metrics.
import * as path from 'node:path';
import { configToYaml } from '../config/load';
import type { Config } from '../config/schema';
import type { Logger } from '../log';
import { runFiles } from '../runs/runFolder';
import { addConfig, addFinal, addRows, addRunningLoss, addSessionStart, hparamValues } from '../tensorboard/runEvents';
import { EventWriter } from '../tensorboard/writer';
import type { MetricsRow, StageRun } from '../train/loop';

export class LiveBoard {
  /** Seconds spent on TensorBoard: building and writing events, and reading the running loss. */
  seconds = 0;
  private constructor(private readonly writer: EventWriter, private readonly every: number) {}

  private timed<T>(work: () => T): T {
    const t = performance.now();
    try {
      return work();
    } finally {
      this.seconds += (performance.now() - t) / 1000;
    }
  }

  /** The run's board, or undefined when the config does not ask for one. */
  static open(dir: string, config: Config, hparamKeys: readonly string[], group: string): LiveBoard | undefined {
    if (!config.train.tensorboard) return undefined;
    const writer = EventWriter.open(path.join(dir, runFiles.tensorboard));
    addConfig(writer, configToYaml(config));
    addSessionStart(writer, hparamValues(config, hparamKeys), group);
    writer.flush();
    return new LiveBoard(writer, config.train.tensorboard_steps);
  }

  epoch(rows: readonly MetricsRow[]): void {
    this.timed(() => {
      addRows(this.writer, rows);
      this.writer.flush();
    });
  }

  /** The loop's hook for a stage's running loss (read from the device here, written with the epoch's rows). */
  runningLoss(stage: string): StageRun['onRunningLoss'] {
    return {
      every: this.every,
      write: async (step, read) => {
        const t = performance.now();
        const loss = await read();
        this.seconds += (performance.now() - t) / 1000;
        this.timed(() => addRunningLoss(this.writer, stage, step, loss));
      },
    };
  }

  /** The run's final metrics and the session's end; logs what TensorBoard cost against `trainedSeconds`. */
  finish(reports: Record<'val' | 'test', object>, trainedSeconds: number, logger: Logger): void {
    this.timed(() => {
      addFinal(this.writer, reports as Record<string, Record<string, unknown>>, true);
      this.writer.flush();
    });
    const share = (100 * this.seconds) / Math.max(trainedSeconds, 1e-9);
    logger.info(`tensorboard: ${this.seconds.toFixed(2)} s writing events and reading the running loss, ${share.toFixed(2)}% of the ${trainedSeconds.toFixed(1)} s this process trained`);
  }
}

/**
 * The hyper-parameters the HParams tab shows for a run: the keys a sweep varies (its axes and
 * variants), or those a `dmil train` set with --set, else the paradigm and the seed. The
 * TensorBoard switches themselves are not hyper-parameters.
 */
export function hparamKeys(setKeys: readonly string[]): string[] {
  const keys = [...new Set(setKeys.filter((k) => !k.startsWith('train.tensorboard')))];
  return keys.length ? keys : ['model.paradigm', 'seed'];
}
