// `dmil decompose RUN`: per-sample interaction scores of a finished run, as CSV or JSON lines.
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { interactionScores, scoreColumns, toCsv, toJsonl } from '../analysis/interactionScores';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { evaluatePredictions, meanGate } from '../experiment/evaluate';
import { predictSamples, type Predictions } from '../experiment/predict';
import { loadFinishedRun } from '../experiment/runModel';
import { acquireRunLock } from '../runs/lock';
import { resolveRun } from '../runs/runFolder';
import { dataRecord, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { gateTable } from './format';
import { planRunOutput, writeRunOutput } from './runOutput';
import { num, table } from '../textTable';

interface DecomposeOptions extends CommonOptions {
  split?: EvalSplit;
  out?: string;
  force?: boolean;
  format: 'csv' | 'jsonl';
  set: string[];
}

export function registerDecompose(program: Command): void {
  const cmd = program
    .command('decompose')
    .description('per-sample interaction scores (gate weights, component probabilities and evidence) of a finished run; on new data without labels, the predictions and gate weights')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--out <file>', 'output file, or - for standard output (default: <run>/decompose/<split>.<format>)')
    .option('--force', 'replace the --out file if it exists')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'));
  withDataSets(withBackend(withRunsDir(cmd))).action(async (ref: string, opts: DecomposeOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const output = planRunOutput(run.dir, opts.out, Boolean(opts.force), opts.set.length > 0, 'decompose');
    // With --out nothing is written into the run, so it needs no lock (and may be read-only).
    const lock = output.target ? undefined : acquireRunLock(run.dir, run.id, 'dmil decompose');
    try {
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
      const { model, data, config } = loaded;
      try {
        const split = splitOf(loaded, opts.split);
        const p = predictSamples(model, data, splitIndices(data, split), config.train.eval_batch_size);
        const rows = interactionScores(p);
        const text = opts.format === 'csv' ? toCsv(scoreColumns(p), rows) : toJsonl(rows);
        // Scores of other data say which data: its --set, files (path, size, SHA-256) and content hash.
        const record = dataRecord(loaded, opts.set);
        const recordText = record ? `${JSON.stringify({ run: run.id, split, samples: rows.length, data: record }, null, 2)}\n` : undefined;
        const written = writeRunOutput(output, path.join(run.dir, 'decompose', `${resultName(split, loaded)}.${opts.format}`), text, recordText);
        process.stderr.write(`wrote ${rows.length} rows to ${written.file}${written.record ? ` (the data it scored: ${written.record})` : ''}\n`);
        // With --out - the scores are standard output; the summary goes beside the messages.
        (output.target?.file === null ? process.stderr : process.stdout).write(summary(run.id, model.paradigm, split, p));
      } finally {
        model.params.dispose();
      }
    } finally {
      lock?.release();
    }
  });
}

/** The mean gate weights (by type and group where known), or what there is without a gate. */
function summary(runId: string, paradigm: string, split: EvalSplit, p: Predictions): string {
  const n = p.labels.length;
  if (!p.gate) return `${n} samples; this paradigm has no gate (no interaction composition to summarise)\n`;
  if (p.unlabelled) {
    const comps = Object.keys(p.components ?? {});
    const mean = meanGate(p.gate, comps, () => true)!;
    return `mean gate weights (${n} samples, no labels)\n${table(['samples', ...comps.map((c) => `g_${c}`)], [['all', ...comps.map((c) => num(mean[c], 3))]])}\n`;
  }
  return `mean gate weights (${n} samples)\n${gateTable(evaluatePredictions(runId, paradigm, split, p))}\n`;
}
