// `dmil eval RUN`: reloads a run's model, recomputes predictions on a split, prints the metrics.
import type { Command } from 'commander';
import { Option } from 'commander';
import { EVAL_SPLITS, type EvalSplit } from '../data/dataset';
import { UserError } from '../errors';
import { evaluateSplits, type EvalTarget } from '../experiment/evaluate';
import { loadFinishedRun, type LoadedRun } from '../experiment/runModel';
import { acquireRunLock } from '../runs/lock';
import { resolveRun, runIsWritable } from '../runs/runFolder';
import { dataRecord, requireLabels, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { formatReport } from './format';

interface EvalOptions extends CommonOptions {
  split?: EvalSplit;
  json?: boolean;
  set: string[];
  reference?: string;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .alias('evaluate')
    .description('evaluate a finished run on a split; writes eval/<split>.json into the run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split; all: every sample (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--reference <run>', 'the synergy indicator from this run\'s unimodal predictors (an ensemble, late-fusion or dmil run on the same samples): for models without their own, such as joint')
    .option('--json', 'print JSON instead of a table');
  withDataSets(withBackend(withRunsDir(cmd))).action(evalCommand);
}

async function evalCommand(ref: string, opts: EvalOptions): Promise<void> {
  const run = resolveRun(ref, opts.runsDir);
  const refRun = opts.reference !== undefined ? resolveRun(opts.reference, opts.runsDir) : undefined;
  // A read-only run (an archive, a shared folder) is evaluated without saving, and needs no lock.
  const save = runIsWritable(run.dir);
  const lock = save ? acquireRunLock(run.dir, run.id, 'dmil eval') : undefined;
  const loaded: LoadedRun[] = [];
  try {
    await startBackend(opts.backend, undefined, threadsFor(opts.threads));
    const main = await loadFinishedRun(run.id, run.dir, opts.set);
    loaded.push(main);
    requireLabels(main, `dmil predict ${run.id} ${opts.set.map((s) => `--set ${s}`).join(' ')} gives the predictions without them`);
    const reference = refRun ? await loadReference(refRun, main, opts.set, loaded) : undefined;
    const split = splitOf(main, opts.split);
    const file = resultName(split, main);
    const target: EvalTarget = { runId: run.id, runDir: run.dir, model: main.model, data: main.data, batchSize: main.config.train.eval_batch_size, seed: main.config.seed, save, reference };
    const [report] = await evaluateSplits(target, [{ split, file, data: dataRecord(main, opts.set) }]);
    if (!save) process.stderr.write(`the run folder is read-only: the results are shown, not saved as eval/${file}.json\n`);
    else if (main.newData) process.stderr.write(`evaluated with ${opts.set.map((s) => `--set ${s}`).join(' ')}; wrote eval/${file}.json\n`);
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  } finally {
    for (const l of loaded) l.model.params.dispose();
    lock?.release();
  }
}

/** The reference run on the same samples (the same content and split), with its own standardisation. */
async function loadReference(refRun: { id: string; dir: string }, main: LoadedRun, sets: string[], loaded: LoadedRun[]): Promise<EvalTarget['reference']> {
  const ref = await loadFinishedRun(refRun.id, refRun.dir, sets);
  loaded.push(ref);
  const sameSamples = ref.fingerprint.content === main.fingerprint.content && ref.data.split.every((s, i) => s === main.data.split[i]);
  if (!sameSamples) throw new UserError('the reference run was trained on other samples or another split', { where: `--reference ${refRun.id}`, hint: 'name a run trained on the same data with the same split (the same data seed)' });
  return { runId: refRun.id, model: ref.model, data: ref.data };
}
