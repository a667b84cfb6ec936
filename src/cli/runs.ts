// `dmil runs`: every run in --runs-dir with its status, what distinguishes it (its overrides or
// sweep cell), its data, the epoch each stage kept and its test accuracy; `--filter`, `--sort`;
// `dmil runs rm RUN` removes a run that is not being trained.
import type { Command } from 'commander';
import { UserError } from '../errors';
import { removeStaleTemp } from '../runs/atomic';
import { listRuns, type RunSummary } from '../runs/list';
import { lockHolder } from '../runs/lock';
import { removeRunFolder, resolveRun } from '../runs/runFolder';
import { collect, withRunsDir, type CommonOptions } from './common';
import { num, table } from '../textTable';

interface RunsOptions extends CommonOptions {
  json?: boolean;
  filter: string[];
  sort?: string;
}

const COLUMNS = ['id', 'status', 'paradigm', 'data', 'seed', 'overrides', 'sweep', 'kept epochs', 'test_accuracy', 'started'] as const;

const fieldOf = (r: RunSummary, key: string): string => {
  switch (key) {
    case 'kept epochs': return Object.entries(r.best_epochs).map(([s, e]) => `${s} ${e}`).join(', ');
    case 'test_accuracy': return num(r.test_accuracy);
    default: return String((r as unknown as Record<string, unknown>)[key] ?? '');
  }
};

export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .alias('list')
    .description('list runs (status, overrides or sweep cell, data, kept epochs, test accuracy); `dmil runs rm RUN` removes one')
    .argument('[action]', '"rm" to remove a run')
    .argument('[run]', 'the run to remove')
    .option('--filter <key=value>', 'keep runs whose field contains value (repeatable), e.g. --filter paradigm=dmil --filter overrides=seed=2', collect, [])
    .option('--sort <field>', `sort by a field: ${COLUMNS.join(', ')} (default: started)`)
    .option('--json', 'print JSON instead of a table');
  withRunsDir(cmd).action((action: string | undefined, ref: string | undefined, opts: RunsOptions) => {
    if (action !== undefined && action !== 'rm') throw new UserError(`unknown action "${action}"`, { where: 'dmil runs', hint: 'dmil runs lists; dmil runs rm RUN removes one' });
    if (action === 'rm') return remove(ref, opts.runsDir);
    let runs = listRuns(opts.runsDir);
    removeStaleTemp(opts.runsDir);
    for (const f of opts.filter) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new UserError('a filter is field=value', { where: `--filter ${f}`, hint: `fields: ${COLUMNS.join(', ')}` });
      const [key, value] = [f.slice(0, eq), f.slice(eq + 1)];
      if (!(COLUMNS as readonly string[]).includes(key)) throw new UserError(`unknown field "${key}"`, { where: `--filter ${f}`, hint: `fields: ${COLUMNS.join(', ')}` });
      runs = runs.filter((r) => fieldOf(r, key).includes(value));
    }
    if (opts.sort) {
      if (!(COLUMNS as readonly string[]).includes(opts.sort)) throw new UserError(`unknown field "${opts.sort}"`, { where: `--sort ${opts.sort}`, hint: `fields: ${COLUMNS.join(', ')}` });
      const key = opts.sort;
      const numeric = key === 'seed' || key === 'test_accuracy';
      runs = [...runs].sort((a, b) => (numeric ? Number(fieldOf(b, key)) - Number(fieldOf(a, key)) : fieldOf(a, key).localeCompare(fieldOf(b, key))));
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return;
    }
    if (runs.length === 0) {
      process.stdout.write(`no runs in ${opts.runsDir}${opts.filter.length ? ' match the filters' : ''}\n`);
      return;
    }
    process.stdout.write(`${table([...COLUMNS], runs.map((r) => COLUMNS.map((c) => fieldOf(r, c) || '-')))}\n`);
  });
}

function remove(ref: string | undefined, runsDir: string): void {
  if (ref === undefined) throw new UserError('which run?', { where: 'dmil runs rm', hint: 'dmil runs rm RUN' });
  const run = resolveRun(ref, runsDir, { idOnly: true });
  const holder = lockHolder(run.dir);
  if (holder) throw new UserError(`run is in use by process ${holder.pid} on ${holder.host} (${holder.command})`, { where: run.id, hint: 'stop it first; a run being trained is never removed' });
  removeRunFolder(run.dir);
  process.stderr.write(`removed ${run.id}\n`);
}
