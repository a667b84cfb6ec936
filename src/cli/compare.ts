// `dmil compare RUN...`: runs side by side, grouped by setting (configs that differ only in the
// seed), each metric as mean +- standard deviation over the seeds, from each run's eval JSON.
import type { Command } from 'commander';
import { Option } from 'commander';
import { checkComparable, findBaseline, groupRuns, requireDistinctSeeds } from '../compare/group';
import { UserError } from '../errors';
import { collectRuns, readResult } from '../compare/results';
import { listRuns } from '../runs/list';
import { withRunsDir, type CommonOptions } from './common';
import { comparisonCsv, formatComparison, pairedTable } from '../compare/tables';

interface CompareOptions extends CommonOptions {
  baseline?: string;
  csv?: boolean;
  split: string;
  all?: boolean;
  json?: boolean;
  markdown?: boolean;
  partial?: boolean;
  mixedVersions?: boolean;
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare runs side by side: settings over seeds, mean ± standard deviation of each metric')
    .argument('[runs...]', 'run ids (or unique prefixes) under --runs-dir, run folder paths, or sweeps (their id or folder: every done cell)')
    .option('--all', 'every finished run under --runs-dir')
    .addOption(new Option('--split <split>', 'which evaluation to read').choices(['test', 'val']).default('test'))
    .option('--baseline <setting>', 'add paired differences against this setting (its label as compare prints it, or one of its runs) over matching seeds, with 95% paired-t intervals')
    .option('--markdown', 'Markdown tables')
    .option('--csv', 'one CSV row per setting: every metric\'s mean and standard deviation')
    .option('--partial', 'for a sweep with cells not done: compare the done ones (and say which were left out)')
    .option('--mixed-versions', 'compare runs of different dmil versions or backends (or a setting read from different files), marked as mixed')
    .option('--json', 'print JSON');
  withRunsDir(cmd).action((refs: string[], opts: CompareOptions) => {
    if (opts.all && refs.length) throw new UserError('--all compares every finished run; name runs or pass --all, not both', { where: 'dmil compare' });
    const note = (line: string) => process.stderr.write(`${line}\n`);
    const ids = opts.all ? listRuns(opts.runsDir).filter((r) => r.status === 'done').map((r) => r.id) : collectRuns(refs, opts.runsDir, { partial: opts.partial, note }).ids;
    if (!ids.length) throw new UserError('no runs to compare', { where: 'dmil compare', hint: 'name runs, or pass --all to compare every finished run under --runs-dir' });
    const groups = groupRuns(ids.map((id) => readResult(id, opts.runsDir, opts.split)));
    requireDistinctSeeds(groups);
    const mixed = checkComparable(groups, Boolean(opts.mixedVersions));
    const baseline = opts.baseline !== undefined ? findBaseline(groups, opts.baseline) : undefined;
    const paired = baseline ? `\n\n${pairedTable(groups, baseline, Boolean(opts.markdown))}` : '';
    if (opts.csv) {
      if (mixed) process.stderr.write(`${mixed}\n`);
      process.stdout.write(comparisonCsv(groups));
      return;
    }
    const json = () => groups.map((g) => ({ label: g.label, runs: g.runs.map((r) => ({ id: r.id, seed: r.seed, provenance: r.provenance, metrics: r.metrics })), metrics: g.metrics }));
    // Mixed runs are marked where the numbers are: above the tables, or as a field.
    process.stdout.write(opts.json ? `${JSON.stringify(mixed ? { mixed, settings: json() } : json(), null, 2)}\n` : `${mixed ? `${mixed}\n\n` : ''}${formatComparison(groups, Boolean(opts.markdown), opts.split)}${paired}\n`);
  });
}
