// `dmil decompose RUN`: per-sample interaction scores of a finished run, as CSV or JSON lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { interactionScores, scoreColumns, toCsv, toJsonl } from '../analysis/interactionScores';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { UserError } from '../errors';
import { classPrior } from '../experiment/data';
import { evaluatePredictions } from '../experiment/evaluate';
import { predictSamples } from '../experiment/predict';
import { loadFinishedRun } from '../experiment/runModel';
import { writeFileAtomic } from '../runs/atomic';
import { resolveRun } from '../runs/runFolder';
import { startBackend, withBackend, withRunsDir, type CommonOptions } from './common';
import { gateTable } from './eval';

interface DecomposeOptions extends CommonOptions {
  split: EvalSplit;
  out?: string;
  format: 'csv' | 'jsonl';
}

export function registerDecompose(program: Command): void {
  const cmd = program
    .command('decompose')
    .description('per-sample interaction scores (gate weights, component probabilities and evidence) of a finished run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split').choices(EVAL_SPLITS as unknown as string[]).default('test'))
    .option('--out <file>', 'output file (default: <run>/decompose/<split>.<format>)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'));
  withBackend(withRunsDir(cmd)).action(async (ref: string, opts: DecomposeOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const out = opts.out ?? path.join(run.dir, 'decompose', `${opts.split}.${opts.format}`);
    if (!fs.existsSync(path.dirname(path.resolve(out))) && opts.out) {
      throw new UserError('the folder of the output file does not exist', { where: opts.out, hint: 'create it first or choose another --out' });
    }
    await startBackend(opts.backend);
    const { model, data, config } = await loadFinishedRun(run.id, run.dir);
    try {
      const indices = splitIndices(data, opts.split);
      const p = predictSamples(model, data, indices, config.train.eval_batch_size);
      const inputs = {
        ids: Array.from(indices, (i) => data.ids[i]),
        classNames: data.classNames,
        labels: Int32Array.from(indices, (i) => data.labels[i]),
        types: data.types ? Array.from(indices, (i) => data.types![i]) : undefined,
        prior: classPrior(data),
        classes: p.classes,
        probs: p.probs,
        unimodal: p.unimodal ? Object.fromEntries(p.unimodal.map((u, m) => [model.modalities[m], u])) : undefined,
        components: p.components,
        gate: p.gate,
      };
      const rows = interactionScores(inputs);
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      writeFileAtomic(out, opts.format === 'csv' ? toCsv(scoreColumns(inputs), rows) : toJsonl(rows));
      process.stderr.write(`wrote ${rows.length} rows to ${out}\n`);
      const gates = gateTable(evaluatePredictions(run.id, model, data, opts.split, p));
      process.stdout.write(gates ? `mean gate weights (${rows.length} samples)\n${gates}\n` : `${rows.length} samples; this paradigm has no gate (no interaction composition to summarise)\n`);
    } finally {
      model.params.dispose();
    }
  });
}

