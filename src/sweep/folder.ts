// A sweep's folder, `<runs>/sweeps/<sweep id>/`: the plan (written once; the same command finds
// it again), and per cell the id of its run and how often it was tried. The runs themselves are
// ordinary run folders in the runs folder, so eval, decompose, runs and compare work on them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../runs/atomic';
import { lockHolder } from '../runs/lock';
import { liveStatus, readMeta, type RunStatus } from '../runs/meta';
import type { Cell, SweepPlan } from './plan';

export const SWEEPS = 'sweeps';

/** The dmil command line each cell runs (`dmil sweep cell`), from this installation. */
export const dmilBin = path.resolve(__dirname, '..', '..', '..', 'bin', 'dmil');

export interface CellState {
  cell: Cell;
  run: string | null;
  attempts: number;
  status: RunStatus | 'pending';
}

export const sweepDir = (runsDir: string, id: string) => path.join(runsDir, SWEEPS, id);
const cellFile = (dir: string, index: number, ext: string) => path.join(dir, 'cells', `${index}.${ext}`);

/** Creates the sweep's folder, or checks that an existing one has the same plan. */
export function openSweep(runsDir: string, plan: SweepPlan): string {
  const dir = sweepDir(runsDir, plan.id);
  const planFile = path.join(dir, 'plan.json');
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  if (fs.existsSync(planFile)) {
    const old = JSON.parse(fs.readFileSync(planFile, 'utf8')) as SweepPlan;
    if (JSON.stringify(old.cells) !== JSON.stringify(plan.cells)) throw new UserError('this sweep folder holds another plan', { where: dir, hint: 'remove it, or change the sweep' });
    return dir;
  }
  fs.mkdirSync(path.join(dir, 'cells'), { recursive: true });
  writeFileAtomic(planFile, text);
  return dir;
}

export function readPlan(dir: string): SweepPlan {
  const file = path.join(dir, 'plan.json');
  if (!fs.existsSync(file)) throw new UserError('not a sweep folder (no plan.json)', { where: dir, hint: '`dmil sweep` prints the id of the sweep it ran' });
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SweepPlan;
}

export function recordRun(dir: string, index: number, runId: string): void {
  writeFileAtomic(cellFile(dir, index, 'run'), `${runId}\n`);
}

export function recordAttempt(dir: string, index: number): number {
  const file = cellFile(dir, index, 'attempts');
  const n = (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0) + 1;
  writeFileAtomic(file, `${n}\n`);
  return n;
}

/** Every cell with its run and that run's status now. */
export function cellStates(dir: string, runsDir: string, plan: SweepPlan): CellState[] {
  return plan.cells.map((cell) => {
    const runFile = cellFile(dir, cell.index, 'run');
    const attemptsFile = cellFile(dir, cell.index, 'attempts');
    const attempts = fs.existsSync(attemptsFile) ? Number(fs.readFileSync(attemptsFile, 'utf8')) : 0;
    if (!fs.existsSync(runFile)) return { cell, run: null, attempts, status: 'pending' };
    const run = fs.readFileSync(runFile, 'utf8').trim();
    const runDir = path.join(runsDir, run);
    let status: CellState['status'] = 'pending';
    try {
      status = liveStatus(readMeta(runDir), runDir);
      if (status === 'done' && lockHolder(runDir)) status = 'running';
    } catch {
      status = 'failed';
    }
    return { cell, run, attempts, status };
  });
}

