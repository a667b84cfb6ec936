// What an export reads of a run folder: its resolved config (as the file holds it and as an
// object), metrics.csv, its evaluations, when it started, how it ended, and the keys its command
// set (its hyper-parameters for TensorBoard's HParams tab).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunConfigObject } from '../experiment/runModel';
import { DamagedFile, readRunJson } from '../runs/damaged';
import { readMeta } from '../runs/meta';
import { readMetrics } from '../runs/metricsFile';
import { runFiles } from '../runs/runFolder';
import type { MetricsRow } from '../train/loop';

export interface RunRecord {
  id: string;
  configYaml: string;
  config: Record<string, unknown>;
  metrics: MetricsRow[];
  /** eval/<split>.json where the run wrote it. */
  reports: Record<'val' | 'test', Record<string, unknown> | undefined>;
  /** When the run started, in seconds since 1970. */
  started: number;
  done: boolean;
  /** Keys its command set with --set. */
  setKeys: string[];
}

export function readRunRecord(id: string, dir: string): RunRecord {
  const meta = readMeta(dir);
  const report = (split: string) => {
    const file = path.join(dir, runFiles.eval, `${split}.json`);
    if (!fs.existsSync(file)) return undefined;
    const r = readRunJson(file);
    if (!r || typeof r !== 'object') throw new DamagedFile(file, 'not an evaluation report');
    return r as Record<string, unknown>;
  };
  const command = meta.command ?? [];
  const setKeys = command.flatMap((a, i) => (a === '--set' && command[i + 1] ? [command[i + 1].split('=')[0].trim()] : []));
  return {
    id,
    configYaml: fs.readFileSync(path.join(dir, runFiles.config), 'utf8'),
    config: readRunConfigObject(dir).raw,
    metrics: readMetrics(path.join(dir, runFiles.metrics)),
    reports: { val: report('val'), test: report('test') },
    started: Date.parse(meta.started) / 1000,
    done: meta.status === 'done',
    setKeys,
  };
}

/**
 * Each row's time: the run's start plus the epoch seconds trained up to and including it (a
 * resumed run's pause not counted), so curves plotted against time show training time.
 */
export function rowTimes(r: RunRecord): number[] {
  let elapsed = 0;
  return r.metrics.map((row) => {
    if (row.split === 'train') elapsed += row.values.epoch_seconds ?? 0;
    return r.started + elapsed;
  });
}
