// What a report reads: a run's files (meta, config, metrics, evaluations, data record) and, for
// a finished run, its predictions on the test split; or the results of several runs or a sweep.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkComparable, groupRuns, requireDistinctSeeds } from '../compare/group';
import { splitIndices } from '../data/dataset';
import { readDataInfo, type DataInfo } from '../experiment/data';
import type { EvalReport } from '../experiment/evaluate';
import { predictSamples } from '../experiment/predict';
import { collectRuns, readResult } from '../compare/results';
import { loadFinishedRun } from '../experiment/runModel';
import { readRunJson } from '../runs/damaged';
import { liveStatus, readMeta } from '../runs/meta';
import { readMetrics } from '../runs/metricsFile';
import { runFiles } from '../runs/runFolder';
import type { CompareReportInput } from './compareReport';
import type { RunReportInput } from './runReport';

function readEval(dir: string, split: string): EvalReport | undefined {
  const file = path.join(dir, runFiles.eval, `${split}.json`);
  if (!fs.existsSync(file)) return undefined;
  // A damaged evaluation is left out (dmil eval rewrites it), as dmil runs does.
  try {
    return readRunJson(file) as EvalReport;
  } catch {
    return undefined;
  }
}

/**
 * A run's files, and for a finished, evaluated run also its test predictions (`startBackend` is
 * called first; a run without a final model needs no backend).
 */
export async function readRunInput(id: string, dir: string, startBackend: () => Promise<unknown>): Promise<RunReportInput> {
  const meta = readMeta(dir);
  const status = liveStatus(meta, dir);
  let dataInfo: DataInfo | undefined;
  try {
    dataInfo = readDataInfo(dir);
  } catch {
    dataInfo = undefined;
  }
  const input: RunReportInput = {
    id, meta, status, dataInfo,
    configText: fs.existsSync(path.join(dir, runFiles.config)) ? fs.readFileSync(path.join(dir, runFiles.config), 'utf8') : '(config.yaml is missing)',
    metrics: readMetrics(path.join(dir, runFiles.metrics)),
    evals: { test: readEval(dir, 'test'), val: readEval(dir, 'val') },
  };
  if (status !== 'done' || !input.evals.test) {
    input.noPredictions = status === 'done' ? 'the run has no test evaluation (run dmil eval first)' : `the run is ${status}; they need its final model`;
    return input;
  }
  await startBackend();
  const loaded = await loadFinishedRun(id, dir);
  try {
    input.predictions = await predictSamples(loaded.model, loaded.data, splitIndices(loaded.data, 'test'), loaded.config.train.eval_batch_size);
  } finally {
    loaded.model.params.dispose();
  }
  return input;
}

/**
 * The finished runs among `refs` (run ids, folders, or sweeps), grouped by setting as dmil compare
 * groups them; for a single sweep, also its folder and its cells.
 */
export function readCompareInput(refs: string[], runsDir: string, opts: { partial?: boolean; mixedVersions?: boolean; note?: (line: string) => void } = {}): Omit<CompareReportInput, 'title' | 'subtitle'> & { sweep?: string; mixed: string | null } {
  const { ids, sweep } = collectRuns(refs, runsDir, opts);
  const results = ids.map((id) => readResult(id, runsDir, 'test'));
  const curves = Object.fromEntries(results.map((r) => [r.id, readMetrics(path.join(r.dir, runFiles.metrics))]));
  const cells = sweep?.states.map((c) => ({ label: c.cell.label, status: c.status, run: c.run, attempts: c.attempts }));
  const groups = groupRuns(results);
  requireDistinctSeeds(groups);
  const mixed = checkComparable(groups, Boolean(opts.mixedVersions));
  return { groups, curves, cells, sweep: sweep?.dir, mixed };
}
