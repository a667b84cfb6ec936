// `dmil eval RUN`: reloads a run's model, recomputes predictions on a split, prints the metrics.
import type { Command } from 'commander';
import { Option } from 'commander';
import { EVAL_SPLITS, type EvalSplit } from '../data/dataset';
import { evaluateSplits } from '../experiment/evaluate';
import { loadFinishedRun } from '../experiment/runModel';
import { acquireRunLock } from '../runs/lock';
import { resolveRun, runIsWritable } from '../runs/runFolder';
import { dataRecord, requireLabels, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { formatReport } from './format';

interface EvalOptions extends CommonOptions {
  split?: EvalSplit;
  json?: boolean;
  set: string[];
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .alias('evaluate')
    .description('evaluate a finished run on a split; writes eval/<split>.json into the run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split; all: every sample (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--json', 'print JSON instead of a table');
  withDataSets(withBackend(withRunsDir(cmd))).action(async (ref: string, opts: EvalOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    // A read-only run (an archive, a shared folder) is evaluated without saving, and needs no lock.
    const save = runIsWritable(run.dir);
    const lock = save ? acquireRunLock(run.dir, run.id, 'dmil eval') : undefined;
    try {
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
      try {
        requireLabels(loaded, `dmil predict ${run.id} ${opts.set.map((s) => `--set ${s}`).join(' ')} gives the predictions without them`);
        const split = splitOf(loaded, opts.split);
        const file = resultName(split, loaded);
        const [report] = await evaluateSplits(
          { runId: run.id, runDir: run.dir, model: loaded.model, data: loaded.data, batchSize: loaded.config.train.eval_batch_size, seed: loaded.config.seed, save },
          [{ split, file, data: dataRecord(loaded, opts.set) }],
        );
        if (!save) process.stderr.write(`the run folder is read-only: the results are shown, not saved as eval/${file}.json\n`);
        else if (loaded.newData) process.stderr.write(`evaluated with ${opts.set.map((s) => `--set ${s}`).join(' ')}; wrote eval/${file}.json\n`);
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      } finally {
        loaded.model.params.dispose();
      }
    } finally {
      lock?.release();
    }
  });
}
