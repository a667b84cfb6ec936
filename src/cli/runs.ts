// `dmil runs`: every run in --runs-dir with its status, paradigm, dataset and test accuracy.
import type { Command } from 'commander';
import { listRuns } from '../runs/list';
import { withRunsDir, type CommonOptions } from './common';
import { num, table } from './table';

export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .alias('list')
    .description('list runs with status, paradigm, dataset and test accuracy')
    .option('--json', 'print JSON instead of a table');
  withRunsDir(cmd).action((opts: CommonOptions & { json?: boolean }) => {
    const runs = listRuns(opts.runsDir);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return;
    }
    if (runs.length === 0) {
      process.stdout.write(`no runs in ${opts.runsDir}\n`);
      return;
    }
    process.stdout.write(`${table(
      ['id', 'status', 'paradigm', 'dataset', 'seed', 'test_accuracy', 'started'],
      runs.map((r) => [r.id, r.status, r.paradigm, r.dataset, String(r.seed), num(r.test_accuracy), r.started]),
    )}\n`);
  });
}
