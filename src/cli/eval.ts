// `dmil eval RUN`: reloads a run's model, recomputes predictions on a split, prints the metrics.
import type { Command } from 'commander';
import { Option } from 'commander';
import { SPLITS, type SplitName } from '../data/dataset';
import { evaluateSplit, type EvalReport } from '../experiment/evaluate';
import { loadFinishedRun } from '../experiment/runModel';
import { resolveRun } from '../runs/runFolder';
import { startBackend, withBackend, withRunsDir, type CommonOptions } from './common';
import { num, table } from './table';

interface EvalOptions extends CommonOptions {
  split: SplitName;
  json?: boolean;
}

export function formatReport(r: EvalReport): string {
  const rows: string[][] = [
    ['samples', String(r.samples)],
    ['accuracy', num(r.accuracy)],
    ['macro_f1', num(r.macro_f1)],
    ['synergy_indicator', num(r.synergy_indicator)],
  ];
  for (const [m, a] of Object.entries(r.unimodal_accuracy ?? {})) rows.push([`unimodal accuracy (${m})`, num(a)]);
  for (const [c, a] of Object.entries(r.component_accuracy ?? {})) rows.push([`component ${c} accuracy`, num(a)]);
  for (const [t, a] of Object.entries(r.per_type ?? {})) rows.push([`type ${t} accuracy`, num(a)]);
  for (const [c, a] of Object.entries(r.per_class)) rows.push([`class ${c} accuracy`, num(a)]);
  let out = `${r.run} (${r.paradigm}), ${r.split} split\n${table(['metric', 'value'], rows)}`;
  if (r.gate_mean) {
    const comps = Object.keys(r.gate_mean);
    const gateRows = [['all', ...comps.map((c) => num(r.gate_mean![c], 3))]];
    for (const [t, g] of Object.entries(r.gate_by_type ?? {})) if (g) gateRows.push([`type ${t}`, ...comps.map((c) => num(g[c], 3))]);
    out += `\n\nmean gate weights\n${table(['samples', ...comps.map((c) => `g_${c}`)], gateRows)}`;
  }
  return out;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a finished run on a split; writes eval/<split>.json into the run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split').choices(SPLITS as unknown as string[]).default('test'))
    .option('--json', 'print JSON instead of a table');
  withBackend(withRunsDir(cmd)).action(async (ref: string, opts: EvalOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    await startBackend(opts.backend);
    const loaded = await loadFinishedRun(run.id, run.dir);
    try {
      const report = evaluateSplit(run.id, run.dir, loaded.model, loaded.data, opts.split, loaded.config.train.eval_batch_size);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    } finally {
      loaded.model.params.dispose();
    }
  });
}
