// `dmil sweep CONFIG|SWEEP.yaml [--axis key=v1,v2]...`: a table of runs over seeds and settings,
// on a local job pool or a Slurm cluster; `dmil sweep status SWEEP`; `dmil sweep cell DIR I` (what
// each job runs: trains or resumes one cell).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { readConfigFile } from '../config/load';
import { readRunConfig } from '../experiment/runModel';
import { UserError } from '../errors';
import { trainNew, trainResume } from '../experiment/train';
import { cellStates, findSweep, lockCell, lockSweep, openSweep, readPlan, recordAttempt, recordRun, sweepDir } from '../sweep/folder';
import { runLocal } from '../sweep/local';
import { isSweepFile, parseAxes, planSweep, readSweepFile, sweepSchema, type SweepPlan } from '../sweep/plan';
import { readSlurmJobs, submitSlurm } from '../sweep/slurm';
import { collect, startBackend, threadsFor, withBackend, withRunsDir, type CommonOptions } from './common';
import { cliReporter } from './reporter';
import { table } from '../textTable';

interface SweepOptions extends CommonOptions {
  axis: string[];
  set: string[];
  executor: 'local' | 'slurm';
  jobs?: string;
  dryRun?: boolean;
  tensorboard?: boolean;
}

export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('train every cell of a sweep (axes crossed, variants) on a local job pool or Slurm; the same command again resumes it; `dmil sweep status SWEEP`')
    .argument('<source>', 'a config with --axis flags, a sweep YAML file, or "status" / "cell" (see --help)')
    .argument('[rest...]', 'for status: the sweep (its id or folder); for cell: the sweep folder and the cell index')
    .option('--axis <key=v1,v2>', 'a config key and its values; every combination is a cell (repeatable, one flag per key), e.g. --axis seed=1,2,3', collect, [])
    .option('--set <key=value>', 'override the base config of every cell (repeatable)', collect, [])
    .addOption(new Option('--executor <name>', 'where cells train').choices(['local', 'slurm']).default('local'))
    .option('--jobs <n>', 'local executor: cells at a time (default: the number of cores)')
    .option('--dry-run', 'list the cells and write nothing')
    .option('--tensorboard', 'every cell writes TensorBoard event files while training (train.tensorboard: true); the HParams tab compares the cells by the sweep\'s axes')
    .option('-q, --quiet', 'no progress lines');
  withBackend(withRunsDir(cmd)).action(async (source: string, rest: string[], opts: SweepOptions) => {
    if (source === 'cell') return runOneCell(rest, opts);
    if (source === 'status') return status(rest, opts);
    const jobs = parseJobs(opts.jobs);
    const fromFile = /\.ya?ml$/i.test(source) && fs.existsSync(source) && isSweepFile(source);
    if (fromFile && opts.axis.length) throw new UserError('--axis is for a config; a sweep file lists its axes', { where: source, hint: 'add the axis to the file\'s axes, or pass the base config with --axis flags' });
    const sets = [...opts.set, ...(opts.tensorboard ? ['train.tensorboard=true'] : [])];
    const spec = fromFile ? readSweepFile(source) : sweepSchema.parse({ config: path.resolve(source), set: sets, axes: parseAxes(opts.axis) });
    if (fromFile) spec.set = [...spec.set, ...sets];
    if (Object.keys(spec.axes).length === 0 && Object.keys(spec.variants).length === 0) {
      throw new UserError('a sweep needs at least one axis or variant', { where: source, hint: 'e.g. --axis seed=1,2,3' });
    }
    const plan = planSweep(spec);
    if (opts.dryRun) {
      process.stdout.write(`${table(['cell', 'setting', 'overrides'], plan.cells.map((c) => [String(c.index), c.label, c.sets.join(' ')]))}\n`);
      process.stderr.write(`sweep ${plan.id}: ${plan.cells.length} cells; nothing was written (dry run)\n`);
      return;
    }
    const dir = openSweep(opts.runsDir, plan);
    const lock = lockSweep(dir, plan.id);
    try {
      cellStates(dir, opts.runsDir, plan); // damaged cell files are reported before anything starts
    } catch (e) {
      lock.release();
      throw e;
    }
    const reporter = cliReporter({ quiet: Boolean(opts.quiet) });
    try {
      reporter.info(`sweep ${plan.id}: ${plan.cells.length} cells in ${dir}`);
      if (opts.executor === 'slurm') {
        reporter.info(submitSlurm(dir, plan, opts.runsDir, opts.backend));
      } else {
        const out = await runLocal(dir, opts.runsDir, plan, jobs, opts.backend, reporter, opts.threads === 'auto' ? undefined : String(opts.threads));
        reporter.result(`sweep ${plan.id}: ${out.done} of ${plan.cells.length} cells done, ${out.failed} failed${out.failed ? ` (dmil sweep status ${plan.id} says why; the same command tries them again)` : ''}`);
        if (out.failed > 0) process.exitCode = 1;
      }
      process.stdout.write(`${plan.id}\n`);
    } finally {
      reporter.close();
      lock.release();
    }
  });
}

/** --jobs: a whole number of cells at a time, checked before anything is written. */
function parseJobs(text: string | undefined): number {
  if (text === undefined) return os.availableParallelism();
  const jobs = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(jobs) || jobs < 1 || jobs > 1024) throw new UserError('--jobs takes a whole number from 1 to 1024', { where: `--jobs ${text}`, hint: `e.g. --jobs ${os.availableParallelism()}` });
  return jobs;
}

/** Trains one cell: a new run, or the cell's run resumed. Used by both executors. */
/** The keys a sweep varies: its axes and every key its variants set. */
export function sweptKeys(plan: SweepPlan): string[] {
  return [...new Set([...Object.keys(plan.spec.axes), ...Object.values(plan.spec.variants).flat().map((s) => s.split('=')[0].trim())])];
}

async function runOneCell(rest: string[], opts: SweepOptions): Promise<void> {
  const [dir, indexText] = rest;
  if (dir === undefined || indexText === undefined || rest.length > 2) throw new UserError('dmil sweep cell takes the sweep folder and a cell index', { where: 'dmil sweep cell', hint: 'e.g. dmil sweep cell runs/sweeps/SWEEP 0; the sweep command runs this itself' });
  const plan = readPlan(dir);
  const index = Number(indexText);
  const cell = /^\d+$/.test(indexText) ? plan.cells[index] : undefined;
  if (!cell) throw new UserError(`no cell ${indexText} in this sweep (it has ${plan.cells.length}, numbered from 0)`, { where: dir });
  const lock = lockCell(dir, plan, index);
  try {
    const state = cellStates(dir, opts.runsDir, plan)[index];
    if (state.status === 'done') {
      process.stdout.write(`${state.run}\n`);
      return;
    }
    recordAttempt(dir, index);
    const config = state.run ? readRunConfig(path.join(opts.runsDir, state.run)) : readConfigFile(plan.config, cell.sets).config;
    const backend = await startBackend(opts.backend, undefined, threadsFor(opts.threads, config));
    const reporter = cliReporter({ quiet: true });
    const trainOpts = { runsDir: opts.runsDir, backend, logger: reporter, command: process.argv.slice(1), onRunFolder: (id: string) => recordRun(dir, index, id), setKeys: sweptKeys(plan) };
    try {
      const result = state.run
        ? await trainResume(state.run, path.join(opts.runsDir, state.run), trainOpts)
        : await trainNew(config, trainOpts);
      process.stdout.write(`${result.id}\n`);
    } finally {
      reporter.close();
    }
  } finally {
    lock.release();
  }
}

function status(rest: string[], opts: SweepOptions): void {
  const ref = rest[0];
  if (!ref) throw new UserError('which sweep?', { where: 'dmil sweep status', hint: 'dmil sweep status SWEEP_ID' });
  const dir = findSweep(ref, opts.runsDir) ?? sweepDir(opts.runsDir, ref);
  const plan = readPlan(dir);
  const states = cellStates(dir, opts.runsDir, plan);
  const slurm = readSlurmJobs(dir);
  const why = states.some((s) => s.reason);
  process.stdout.write(`${table(['cell', 'setting', 'status', 'run', 'tries', ...(slurm ? ['slurm'] : []), ...(why ? ['why'] : [])], states.map((s) => [
    String(s.cell.index), s.cell.label, s.status, s.run ?? '-', String(s.attempts), ...(slurm ? [slurm[s.cell.index] ?? '-'] : []), ...(why ? [s.reason ?? ''] : []),
  ]))}\n`);
}
