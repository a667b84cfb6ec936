// `dmil export --dvclive DIR`: a run in DVCLive's layout, so `dvc plots show` and `dvc exp show`
// read it: plots/metrics/<stage>/<split>/<name>.tsv (columns timestamp, step, <name>; the
// timestamp in milliseconds as DVCLive writes it), metrics.json (each series' last value, and the
// final evaluations), params.yaml (the resolved config) and dvc.yaml naming them. One folder per
// run, written in one step.
import * as path from 'node:path';
import { stringify } from 'yaml';
import { writeFolderAtomic } from '../runs/atomic';
import { FINAL_METRICS } from '../tensorboard/runEvents';
import { rowTimes, type RunRecord } from './runRecord';

const DVC_YAML = stringify({ params: ['params.yaml'], metrics: ['metrics.json'], plots: [{ 'plots/metrics': { x: 'step' } }] });

/** The files of one run's DVCLive folder, by path inside it. */
export function dvcliveFiles(r: RunRecord): Record<string, string> {
  const times = rowTimes(r);
  const series = new Map<string, { name: string; lines: string[]; last: number }>();
  const metrics: Record<string, Record<string, Record<string, number>>> = {};
  r.metrics.forEach((row, i) => {
    for (const [name, value] of Object.entries(row.values)) {
      if (!Number.isFinite(value)) continue;
      const file = path.posix.join('plots', 'metrics', row.stage, row.split, `${name}.tsv`);
      const s = series.get(file) ?? { name, lines: [], last: value };
      s.lines.push(`${Math.round(times[i] * 1000)}\t${row.epoch}\t${value}`);
      s.last = value;
      series.set(file, s);
      ((metrics[row.stage] ??= {})[row.split] ??= {})[name] = value;
    }
  });
  const final = Object.fromEntries(Object.entries(r.reports).flatMap(([split, rep]) => {
    const values = Object.fromEntries(FINAL_METRICS.flatMap((m) => (typeof rep?.[m] === 'number' && Number.isFinite(rep[m]) ? [[m, rep[m] as number]] : [])));
    return Object.keys(values).length ? [[split, values]] : [];
  }));
  return {
    ...Object.fromEntries([...series].map(([file, s]) => [file, `timestamp\tstep\t${s.name}\n${s.lines.join('\n')}\n`])),
    'metrics.json': `${JSON.stringify({ ...metrics, ...(Object.keys(final).length ? { final } : {}) }, null, 2)}\n`,
    'params.yaml': r.configYaml,
    'dvc.yaml': DVC_YAML,
  };
}

export function exportDvclive(out: string, runs: readonly RunRecord[], perRun: boolean): string[] {
  return runs.map((r) => {
    const dir = perRun ? path.join(out, r.id) : out;
    writeFolderAtomic(dir, dvcliveFiles(r));
    return dir;
  });
}
