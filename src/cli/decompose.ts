// `dmil decompose RUN`: per-sample interaction scores of a finished run, as CSV or JSON lines.
import type { Command } from 'commander';
import { Option } from 'commander';
import { interactionScores, scoreColumns, toCsv, toJsonl } from '../analysis/interactionScores';
import type { Predictions } from '../analysis/predictions';
import type { EvalSplit } from '../data/dataset';
import { evaluatePredictions, meanGate } from '../experiment/evaluate';
import { num, table } from '../textTable';
import { gateTable } from './format';
import { withRunOutput, withRunPredictions, type RunOutputOptions } from './runOutput';

interface DecomposeOptions extends RunOutputOptions {
  format: 'csv' | 'jsonl';
}

export function registerDecompose(program: Command): void {
  const cmd = program
    .command('decompose')
    .description('per-sample interaction scores (gate weights, component probabilities and evidence) of a finished run; on new data without labels, the predictions and gate weights')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'));
  withRunOutput(cmd, '<run>/decompose/<split>.<format>').action((ref: string, opts: DecomposeOptions) => withRunPredictions(ref, opts, 'decompose', (r) => {
    const rows = interactionScores(r.predictions);
    const written = r.write('decompose', opts.format, opts.format === 'csv' ? toCsv(scoreColumns(r.predictions), rows) : toJsonl(rows));
    process.stderr.write(`wrote ${rows.length} rows to ${written.file}${written.record ? ` (the data it scored: ${written.record})` : ''}\n`);
    // With --out - the scores are standard output; the summary goes beside the messages.
    (r.toStdout ? process.stderr : process.stdout).write(summary(r.runId, r.loaded.model.paradigm, r.split, r.predictions));
  }));
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
