// TensorBoard while training (train.tensorboard): the run's event file in runs/<id>/tensorboard/,
// opened with the resolved config and the session's hyper-parameters, appended and flushed at each
// epoch's end (with the running losses of its steps), and closed with the final metrics.
import * as path from 'node:path';
import { configToYaml } from '../config/load';
import type { Config } from '../config/schema';
import { runFiles } from '../runs/runFolder';
import { addConfig, addFinal, addRows, addRunningLoss, addSessionStart, hparamValues } from '../tensorboard/runEvents';
import { EventWriter } from '../tensorboard/writer';
import type { MetricsRow, StageRun } from '../train/loop';

export class LiveBoard {
  private constructor(private readonly writer: EventWriter, private readonly every: number) {}

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
    addRows(this.writer, rows);
    this.writer.flush();
  }

  /** The loop's hook for a stage's running loss (written with the epoch's rows). */
  runningLoss(stage: string): StageRun['onRunningLoss'] {
    return { every: this.every, write: (step, loss) => addRunningLoss(this.writer, stage, step, loss) };
  }

  finish(reports: Record<string, Record<string, unknown> | undefined>, ok: boolean): void {
    addFinal(this.writer, reports, ok);
    this.writer.flush();
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
