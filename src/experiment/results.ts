// A finished run's results as `dmil compare` and `dmil report` read them: its evaluation's
// metrics flattened to names, its seed and resolved config, and its training time; and the runs
// a sweep has finished.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { RunResult } from '../analysis/compare';
import { UserError } from '../errors';
import { readMeta } from '../runs/meta';
import { readMetrics } from '../runs/metricsFile';
import { resolveRun, runFiles } from '../runs/runFolder';
import { cellStates, readPlan, sweepDir, type CellState } from '../sweep/folder';
import type { EvalReport } from './evaluate';

/** The metrics of one run's evaluation, flattened to names. */
export function runMetrics(report: EvalReport, selection: Record<string, { best_epoch: number }> | undefined): Record<string, number> {
  const m: Record<string, number> = { accuracy: report.accuracy, macro_f1: report.macro_f1 };
  for (const [t, v] of Object.entries(report.per_type ?? {})) m[`type_${t}`] = v ?? Number.NaN;
  if (report.synergy_indicator !== null) m.synergy_indicator = report.synergy_indicator;
  for (const [c, v] of Object.entries(report.component_accuracy ?? {})) m[`component_${c}`] = v;
  for (const [t, g] of Object.entries(report.gate_by_type ?? {})) for (const [c, v] of Object.entries(g ?? {})) m[`gate_${t}_${c}`] = v;
  // Group names are the user's (any characters): keys `group:<name>` and `gate_group:<name>:<component>`.
  for (const [name, a] of Object.entries(report.per_group ?? {})) m[`group:${name}`] = a.accuracy;
  for (const [name, g] of Object.entries(report.gate_by_group ?? {})) for (const [c, v] of Object.entries(g ?? {})) m[`gate_group:${name}:${c}`] = v;
  const probes = Object.values(report.n_probe_accuracy ?? {});
  if (probes.length) m.n_probe_accuracy = probes.reduce((a, b) => a + b, 0) / probes.length;
  for (const [stage, s] of Object.entries(selection ?? {})) m[`kept_epoch_${stage}`] = s.best_epoch;
  return m;
}

export interface ReadResult extends RunResult {
  dir: string;
}

export function readResult(ref: string, runsDir: string, split: string): ReadResult {
  const run = resolveRun(ref, runsDir);
  const file = path.join(run.dir, runFiles.eval, `${split}.json`);
  if (!fs.existsSync(file)) throw new UserError(`no ${split} evaluation in this run (is it done?)`, { where: run.id, hint: `run dmil eval ${run.id} --split ${split}, or leave the run out` });
  const meta = readMeta(run.dir);
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as EvalReport;
  const config = parse(fs.readFileSync(path.join(run.dir, runFiles.config), 'utf8')) as Record<string, unknown>;
  // Training time: the epochs' own seconds from metrics.csv (a resumed run's pause not counted).
  const rows = readMetrics(path.join(run.dir, runFiles.metrics)).filter((r) => r.split === 'train');
  const seconds = rows.length ? rows.reduce((a, r) => a + (r.values.epoch_seconds ?? 0), 0) : Number.NaN;
  return { id: run.id, dir: run.dir, seed: meta.seed, config, metrics: { ...runMetrics(report, meta.selection), train_seconds: seconds } };
}

/** The folder of a sweep named by id or folder; undefined when `ref` is not a sweep. */
export function findSweep(ref: string, runsDir: string): string | undefined {
  const dir = fs.existsSync(path.join(ref, 'plan.json')) ? ref : sweepDir(runsDir, ref);
  return fs.existsSync(path.join(dir, 'plan.json')) ? dir : undefined;
}

/** The finished runs of a sweep named by id or folder; undefined when `ref` is not a sweep. */
export function sweepRuns(ref: string, runsDir: string): string[] | undefined {
  const dir = findSweep(ref, runsDir);
  if (!dir) return undefined;
  return doneRuns(cellStates(dir, runsDir, readPlan(dir)), ref);
}

/** The runs of a sweep's finished cells; refuses a sweep (named `ref`) with none. */
export function doneRuns(states: readonly CellState[], ref: string): string[] {
  const done = states.filter((c) => c.status === 'done').map((c) => c.run!);
  if (!done.length) throw new UserError('no cell of this sweep is done yet', { where: ref, hint: `dmil sweep status ${ref}` });
  return done;
}
