// `dmil predict RUN [--set data.path=FILE]`: a finished run's predictions, on its own data or on
// new data of the same layout with or without labels: per sample the predicted class, every
// class's probability and, for paradigms with a gate (DMIL), the gate weights, as CSV.
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { predictionRows } from '../analysis/predictionRows';
import { predictSamples } from '../experiment/predict';
import { loadFinishedRun } from '../experiment/runModel';
import { acquireRunLock } from '../runs/lock';
import { resolveRun } from '../runs/runFolder';
import { dataRecord, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { planRunOutput, writeRunOutput } from './runOutput';

interface PredictOptions extends CommonOptions {
  split?: EvalSplit;
  out?: string;
  force?: boolean;
  set: string[];
}

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('predictions of a finished run: class, class probabilities and (DMIL) gate weights per sample, as CSV; new data with --set data.path=FILE needs no label column')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--out <file>', 'output file, or - for standard output (default: <run>/predict/<split>.csv)')
    .option('--force', 'replace the --out file if it exists');
  withDataSets(withBackend(withRunsDir(cmd))).action(async (ref: string, opts: PredictOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const output = planRunOutput(run.dir, opts.out, Boolean(opts.force), opts.set.length > 0, 'predict');
    const lock = output.target ? undefined : acquireRunLock(run.dir, run.id, 'dmil predict');
    try {
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
      try {
        const split = splitOf(loaded, opts.split);
        const p = predictSamples(loaded.model, loaded.data, splitIndices(loaded.data, split), loaded.config.train.eval_batch_size);
        const record = dataRecord(loaded, opts.set);
        const recordText = record ? `${JSON.stringify({ run: run.id, split, samples: p.ids.length, data: record }, null, 2)}\n` : undefined;
        const written = writeRunOutput(output, path.join(run.dir, 'predict', `${resultName(split, loaded)}.csv`), predictionRows(p), recordText);
        process.stderr.write(`wrote ${p.ids.length} predictions${p.unlabelled ? ' (the data has no labels)' : ''} to ${written.file}${written.record ? ` (the data: ${written.record})` : ''}\n`);
      } finally {
        loaded.model.params.dispose();
      }
    } finally {
      lock?.release();
    }
  });
}
