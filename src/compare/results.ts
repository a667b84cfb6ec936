// A finished run's results as `dmil compare` and `dmil report` read them: its evaluation's
// metrics flattened to names, its seed and resolved config, and its training time; and the runs
// a sweep has finished.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from './group';
import { UserError } from '../errors';
import { readMeta } from '../runs/meta';
import { readMetrics } from '../runs/metricsFile';
import { resolveRun, runFiles } from '../runs/runFolder';
import { cellStates, findSweep, readPlan, type CellState } from '../sweep/folder';
import { DamagedFile, readRunJson } from '../runs/damaged';
import type { EvalReport } from '../experiment/evaluate';
import { readRunConfigObject } from '../experiment/runModel';

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
  const ceilings = Object.values(report.n_probe_ceiling ?? {});
  if (ceilings.length) m.n_probe_ceiling = ceilings.reduce((a, b) => a + b, 0) / ceilings.length;
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
  const report = readRunJson(file) as EvalReport;
  if (!report || typeof report !== 'object' || typeof report.accuracy !== 'number') throw new DamagedFile(file, 'not an evaluation', `run dmil eval ${run.id} --split ${split} to write it again`);
  const { raw: config, version } = readRunConfigObject(run.dir);
  // Training time: the epochs' own seconds from metrics.csv (a resumed run's pause not counted).
  const rows = readMetrics(path.join(run.dir, runFiles.metrics)).filter((r) => r.split === 'train');
  const seconds = rows.length ? rows.reduce((a, r) => a + (r.values.epoch_seconds ?? 0), 0) : Number.NaN;
  return {
    id: run.id, dir: run.dir, seed: meta.seed, config, metrics: { ...runMetrics(report, meta.selection), train_seconds: seconds },
    provenance: { version, backend: meta.backend?.name ?? 'unknown', dataFiles: dataFilesOf(run.dir) },
  };
}

/** The run's input files as path:sha256 (from its data record); '' for generated data or runs before data fingerprints. */
function dataFilesOf(dir: string): string {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, runFiles.data), 'utf8')) as { fingerprint?: { files?: { path: string; sha256?: string }[] } };
    return (info.fingerprint?.files ?? []).map((f) => `${path.basename(f.path)}:${f.sha256 ?? '?'}`).sort().join(' ');
  } catch {
    return '';
  }
}

export interface CollectedRuns {
  /** Run ids, each once. */
  ids: string[];
  /** A single sweep named alone: its folder and the states of its cells. */
  sweep?: { dir: string; states: CellState[] };
}

/**
 * The finished runs that `refs` name (run ids, folders, sweeps), for compare and report. A run
 * named twice (directly, or also through a sweep) is an error, not a second seed; a sweep with
 * cells that are not done is refused unless `partial`, and then what is left out is said.
 */
export function collectRuns(refs: readonly string[], runsDir: string, opts: { partial?: boolean; note?: (line: string) => void } = {}): CollectedRuns {
  const ids: string[] = [];
  const namedAs = new Map<string, string>();
  let sweep: CollectedRuns['sweep'];
  const add = (id: string, dir: string, as: string) => {
    const key = fs.realpathSync(dir);
    const before = namedAs.get(key);
    if (before !== undefined) throw new UserError(`run ${id} is named twice (as ${before} and as ${as}); a run counts once`, { where: as, hint: 'name each run once' });
    namedAs.set(key, as);
    ids.push(id);
  };
  for (const ref of refs) {
    const dir = findSweep(ref, runsDir);
    if (!dir) {
      const run = resolveRun(ref, runsDir);
      add(run.id, run.dir, ref);
      continue;
    }
    const states = cellStates(dir, runsDir, readPlan(dir));
    if (refs.length === 1) sweep = { dir, states };
    const notDone = states.filter((c) => c.status !== 'done');
    const list = notDone.map((c) => `cell ${c.cell.index} (${c.cell.label}) ${c.status}${c.reason ? `: ${c.reason}` : ''}`).join('; ');
    if (notDone.length && !opts.partial) {
      throw new UserError(`${notDone.length} of ${states.length} cells of this sweep are not done: ${list}`, { where: ref, hint: `dmil sweep status ${ref} says why; run the sweep again, or pass --partial to use the done cells only` });
    }
    if (notDone.length) opts.note?.(`left out ${notDone.length} of ${states.length} cells of ${ref} (not done): ${list}`);
    const done = states.filter((c) => c.status === 'done');
    if (!done.length) throw new UserError('no cell of this sweep is done yet', { where: ref, hint: `dmil sweep status ${ref}` });
    for (const c of done) add(c.run!, path.join(runsDir, c.run!), `${ref} cell ${c.cell.index}`);
  }
  return { ids, sweep };
}
