// `dmil export RUN|SWEEP --tensorboard DIR | --dvclive DIR`: a finished (or stopped) run, or every
// run of a sweep, in the files TensorBoard or DVC read, for runs trained without
// train.tensorboard. Every target folder is checked before anything is written; each run's folder
// appears in one step.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors';
import { exportDvclive } from '../export/dvclive';
import { readRunRecord, type RunRecord } from '../export/runRecord';
import { exportTensorboard } from '../export/tensorboard';
import { hparamKeys } from '../experiment/liveBoard';
import { dmilFolderAround } from '../runs/outputFile';
import { resolveRun } from '../runs/runFolder';
import { cellStates, findSweep, readPlan } from '../sweep/folder';
import { withRunsDir, type CommonOptions } from './common';
import { sweptKeys } from './sweep';

interface ExportOptions extends Pick<CommonOptions, 'runsDir'> {
  tensorboard?: string;
  dvclive?: string;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write a run, or every run of a sweep, as TensorBoard event files or in DVCLive\'s layout')
    .argument('<target>', 'a run (id, unique prefix or folder) or a sweep (id or folder)')
    .option('--tensorboard <dir>', 'TensorBoard: <dir>/<run id>/events.out.tfevents...; then tensorboard --logdir <dir>')
    .option('--dvclive <dir>', 'DVCLive: <dir> for a run (it must not exist), <dir>/<run id> for each run of a sweep');
  withRunsDir(cmd).action((target: string, opts: ExportOptions) => {
    const format = opts.tensorboard !== undefined ? 'tensorboard' : 'dvclive';
    const out = opts.tensorboard ?? opts.dvclive;
    if ((opts.tensorboard === undefined) === (opts.dvclive === undefined) || !out) {
      throw new UserError('name one output: --tensorboard DIR or --dvclive DIR', { where: 'dmil export', hint: `e.g. dmil export ${target} --tensorboard tb` });
    }
    const sweepDir = findSweep(target, opts.runsDir);
    const runs = sweepDir ? sweepRuns(sweepDir, opts.runsDir) : [readRun(target, opts.runsDir)];
    const perRun = format === 'tensorboard' || sweepDir !== undefined;
    const plan = sweepDir ? readPlan(sweepDir) : undefined;
    checkTargets(out, `--${format}`, perRun ? runs.map((r) => path.join(out, r.id)) : [out]);
    const written = format === 'tensorboard'
      ? exportTensorboard(out, runs, (r) => (plan ? sweptKeys(plan) : hparamKeys(r.setKeys)), plan ? { name: plan.id, keys: sweptKeys(plan) } : undefined)
      : exportDvclive(out, runs, perRun);
    const next = format === 'tensorboard' ? `tensorboard --logdir ${out}` : `dvc plots show / dvc exp show in ${perRun ? 'each folder' : out}`;
    process.stderr.write(`wrote ${written.length} folder${written.length === 1 ? '' : 's'} under ${out} (${runs.length} run${runs.length === 1 ? '' : 's'}); ${next}\n`);
  });
}

function readRun(ref: string, runsDir: string): RunRecord {
  const { id, dir } = resolveRun(ref, runsDir);
  return readRunRecord(id, dir);
}

/** The sweep's runs that exist (cells not started yet have none). */
function sweepRuns(dir: string, runsDir: string): RunRecord[] {
  const states = cellStates(dir, runsDir, readPlan(dir)).filter((s) => s.run !== null);
  if (!states.length) throw new UserError('the sweep has no runs yet', { where: dir, hint: 'train it first: dmil sweep ...' });
  return states.map((s) => readRunRecord(s.run!, path.join(runsDir, s.run!)));
}

/** The output folder is a plain folder outside dmil's run and sweep folders, and no target exists yet. */
function checkTargets(out: string, option: string, targets: string[]): void {
  const stat = fs.lstatSync(out, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) throw new UserError(`${option} is a symbolic link; dmil writes only into real folders`, { where: out, hint: 'name the folder itself' });
  if (stat && !stat.isDirectory()) throw new UserError(`${option} exists and is not a folder`, { where: out, hint: 'name a folder (it is created if missing)' });
  const around = dmilFolderAround(stat ? out : path.dirname(path.resolve(out)));
  if (around) throw new UserError(`${option} is inside a ${around.kind} folder, whose files only dmil writes`, { where: out, hint: 'export to a folder of its own, e.g. tb/' });
  const taken = targets.find((t) => fs.existsSync(t));
  if (taken) throw new UserError(`${taken} exists; dmil does not overwrite an export`, { where: option, hint: 'remove it, or export to another folder' });
  // The folder the targets are made in: `out` itself, or its parent when `out` is the target.
  fs.mkdirSync(targets.includes(out) ? path.dirname(path.resolve(out)) : out, { recursive: true });
}
