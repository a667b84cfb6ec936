// `dmil eval RUN`: reloads a run's model, recomputes predictions on a split, prints the metrics.
import type { Command } from 'commander';
import { Option } from 'commander';
import { createHash } from 'node:crypto';
import { EVAL_SPLITS, type EvalSplit } from '../data/dataset';
import { evaluateSplit, type EvalReport } from '../experiment/evaluate';
import { loadFinishedRun } from '../experiment/runModel';
import { resolveRun } from '../runs/runFolder';
import { collect, startBackend, withBackend, withRunsDir, type CommonOptions } from './common';
import { num, table } from './table';

interface EvalOptions extends CommonOptions {
  split?: EvalSplit;
  json?: boolean;
  set: string[];
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
  const gates = gateTable(r);
  return `${r.run} (${r.paradigm}), ${r.split} split\n${table(['metric', 'value'], rows)}${gates ? `\n\nmean gate weights\n${gates}` : ''}`;
}

/** Mean gate weights overall and by interaction type, for paradigms with a gate. */
export function gateTable(r: EvalReport): string | undefined {
  if (!r.gate_mean) return undefined;
  const comps = Object.keys(r.gate_mean);
  const rows = [['all', ...comps.map((c) => num(r.gate_mean![c], 3))]];
  for (const [t, g] of Object.entries(r.gate_by_type ?? {})) if (g) rows.push([`type ${t}`, ...comps.map((c) => num(g[c], 3))]);
  return table(['samples', ...comps.map((c) => `g_${c}`)], rows);
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('evaluate a finished run on a split; writes eval/<split>.json into the run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split; all: every sample (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--set <key=value>', 'override the run\'s config, e.g. --set data.path=other.csv to evaluate on new data of the same layout', collect, [])
    .option('--json', 'print JSON instead of a table');
  withBackend(withRunsDir(cmd)).action(async (ref: string, opts: EvalOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const otherData = opts.set.some((s) => s.startsWith('data.'));
    const split = opts.split ?? (otherData ? 'all' : 'test');
    await startBackend(opts.backend);
    const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
    try {
      // Results on other data get a name of their own, so eval/test.json stays the run's result.
      const file = opts.set.length ? `${split}-${createHash('sha1').update(opts.set.join('\n')).digest('hex').slice(0, 8)}` : split;
      const report = evaluateSplit(run.id, run.dir, loaded.model, loaded.data, split, loaded.config.train.eval_batch_size, file);
      if (opts.set.length) process.stderr.write(`evaluated with ${opts.set.map((s) => `--set ${s}`).join(' ')}; wrote eval/${file}.json\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    } finally {
      loaded.model.params.dispose();
    }
  });
}
