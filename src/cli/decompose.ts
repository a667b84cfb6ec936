// `dmil decompose RUN`: per-sample interaction scores of a finished run, as CSV or JSON lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { interactionScores, scoreColumns, toCsv, toJsonl } from '../analysis/interactionScores';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { evaluatePredictions } from '../experiment/evaluate';
import { predictSamples } from '../experiment/predict';
import { loadFinishedRun } from '../experiment/runModel';
import { writeFileAtomic } from '../runs/atomic';
import { acquireRunLock } from '../runs/lock';
import { resolveRun } from '../runs/runFolder';
import { checkOutFile, dataRecord, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { gateTable } from './format';

interface DecomposeOptions extends CommonOptions {
  split?: EvalSplit;
  out?: string;
  format: 'csv' | 'jsonl';
  set: string[];
}

export function registerDecompose(program: Command): void {
  const cmd = program
    .command('decompose')
    .description('per-sample interaction scores (gate weights, component probabilities and evidence) of a finished run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--out <file>', 'output file (default: <run>/decompose/<split>.<format>)')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'));
  withDataSets(withBackend(withRunsDir(cmd))).action(async (ref: string, opts: DecomposeOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const lock = acquireRunLock(run.dir, run.id, 'dmil decompose');
    try {
      if (opts.out) checkOutFile(opts.out, '--out');
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
      const { model, data, config } = loaded;
      try {
        const split = splitOf(loaded, opts.split);
        const out = opts.out ?? path.join(run.dir, 'decompose', `${resultName(split, loaded)}.${opts.format}`);
        const p = predictSamples(model, data, splitIndices(data, split), config.train.eval_batch_size);
        const rows = interactionScores(p);
        fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
        writeFileAtomic(out, opts.format === 'csv' ? toCsv(scoreColumns(p), rows) : toJsonl(rows));
        // Scores of other data say which data: its --set, files (path, size, SHA-256) and content hash.
        const record = dataRecord(loaded, opts.set);
        if (record) writeFileAtomic(`${out}.data.json`, `${JSON.stringify({ run: run.id, split, samples: rows.length, data: record }, null, 2)}\n`);
        process.stderr.write(`wrote ${rows.length} rows to ${out}${record ? ` (the data it scored: ${out}.data.json)` : ''}\n`);
        const gates = gateTable(evaluatePredictions(run.id, model.paradigm, split, p));
        process.stdout.write(gates ? `mean gate weights (${rows.length} samples)\n${gates}\n` : `${rows.length} samples; this paradigm has no gate (no interaction composition to summarise)\n`);
      } finally {
        model.params.dispose();
      }
    } finally {
      lock.release();
    }
  });
}
