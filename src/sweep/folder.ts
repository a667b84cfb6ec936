// A sweep's folder, `<runs>/sweeps/<sweep id>/`: the plan (written once, with the folder, in one
// step; the same command finds it again), a lock held by the `dmil sweep` that drives it, and per
// cell the id of its run, how often it was tried, and a lock held by the process training it. The
// runs themselves are ordinary run folders in the runs folder, so eval, decompose, runs and
// compare work on them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { commitFolder, writeFileAtomic, writeTempFolder } from '../runs/atomic';
import { DamagedFile, readRunJson } from '../runs/damaged';
import { acquireLock, lockHolder, type RunLock } from '../runs/lock';
import { liveStatus, readMeta, type RunStatus } from '../runs/meta';
import { runFiles } from '../runs/runFolder';
import { ensureFolder } from '../runs/storage';
import type { Cell, SweepPlan } from './plan';

export const SWEEPS = 'sweeps';

/** The dmil command line each cell runs (`dmil sweep cell`), from this installation. */
export const dmilBin = path.resolve(__dirname, '..', '..', '..', 'bin', 'dmil');

export interface CellState {
  cell: Cell;
  run: string | null;
  attempts: number;
  status: RunStatus | 'pending';
  /** Why a failed cell failed (its run's error), or what became of its run. */
  reason?: string;
}

export const sweepDir = (runsDir: string, id: string) => path.join(runsDir, SWEEPS, id);

/** The folder of a sweep named by id or folder; undefined when `ref` is not a sweep. */
export function findSweep(ref: string, runsDir: string): string | undefined {
  if (ref.trim() === '') return undefined;
  const dir = fs.existsSync(path.join(ref, 'plan.json')) ? ref : sweepDir(runsDir, ref);
  return fs.existsSync(path.join(dir, 'plan.json')) ? dir : undefined;
}
const cellFile = (dir: string, index: number, ext: string) => path.join(dir, 'cells', `${index}.${ext}`);
const planText = (plan: SweepPlan) => `${JSON.stringify(plan, null, 2)}\n`;

/**
 * Creates the sweep's folder with its plan in one step (a full disk or a kill leaves no folder),
 * or checks that an existing one has the same plan.
 */
export function openSweep(runsDir: string, plan: SweepPlan): string {
  const dir = sweepDir(runsDir, plan.id);
  if (!fs.existsSync(path.join(dir, 'plan.json'))) {
    // Written beside the runs, then moved under sweeps/: nothing is left if either step fails.
    const tmp = writeTempFolder(path.join(runsDir, plan.id), { 'plan.json': planText(plan) });
    try {
      ensureFolder(path.dirname(dir));
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    try {
      commitFolder(tmp, dir);
      return dir;
    } catch (e) {
      // Another `dmil sweep` created it first; then it must hold the same plan.
      if (!fs.existsSync(path.join(dir, 'plan.json'))) throw e;
    }
  }
  const old = readPlan(dir);
  if (JSON.stringify(old.cells) !== JSON.stringify(plan.cells)) throw new UserError('this sweep folder holds another plan', { where: dir, hint: 'remove it, or change the sweep' });
  return dir;
}

/** The plan of a sweep folder; a missing folder or a damaged plan is one line naming it. */
export function readPlan(dir: string): SweepPlan {
  const file = path.join(dir, 'plan.json');
  if (!fs.existsSync(file)) throw new UserError('not a sweep folder (no plan.json)', { where: dir, hint: '`dmil sweep` prints the id of the sweep it ran' });
  const plan = readRunJson(file) as SweepPlan;
  const ok = plan && typeof plan === 'object' && typeof plan.id === 'string' && typeof plan.config === 'string' && plan.spec && typeof plan.spec === 'object'
    && Array.isArray(plan.cells) && plan.cells.every((c, i) => c && c.index === i && typeof c.label === 'string' && Array.isArray(c.sets) && c.sets.every((x) => typeof x === 'string'));
  if (!ok) throw new DamagedFile(file, 'not a sweep plan', 'restore it, or remove the sweep folder and run the sweep again (its finished runs stay in the runs folder)');
  return plan;
}

/** The lock of the `dmil sweep` that drives a sweep: one at a time per sweep folder. */
export function lockSweep(dir: string, id: string): RunLock {
  return acquireLock(path.join(dir, 'lock'), 'sweep', id, `dmil sweep (${id})`);
}

const ensureCells = (dir: string) => ensureFolder(path.join(dir, 'cells'));

/** The lock of the process that trains a cell: a cell is never trained twice at once. */
export function lockCell(dir: string, plan: SweepPlan, index: number): RunLock {
  ensureCells(dir);
  return acquireLock(cellFile(dir, index, 'lock'), 'sweep cell', `${plan.id} cell ${index}`, `dmil sweep cell ${index}`);
}

export function recordRun(dir: string, index: number, runId: string): void {
  ensureCells(dir);
  writeFileAtomic(cellFile(dir, index, 'run'), `${runId}\n`);
}

export function recordAttempt(dir: string, index: number): number {
  ensureCells(dir);
  const n = readAttempts(dir, index) + 1;
  writeFileAtomic(cellFile(dir, index, 'attempts'), `${n}\n`);
  return n;
}

function readAttempts(dir: string, index: number): number {
  const file = cellFile(dir, index, 'attempts');
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file, 'utf8');
  if (!/^\d{1,6}\n?$/.test(text)) throw new DamagedFile(file, 'not a count of tries', 'delete it and run the sweep again; it only counts how often the cell was tried');
  return Number(text);
}

function readCellRun(dir: string, index: number): string | null {
  const file = cellFile(dir, index, 'run');
  if (!fs.existsSync(file)) return null;
  const id = fs.readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) throw new DamagedFile(file, 'not a run id', 'delete it and run the sweep again: the cell is trained anew');
  return id;
}

/** Every cell with its run and that run's status now. */
export function cellStates(dir: string, runsDir: string, plan: SweepPlan): CellState[] {
  return plan.cells.map((cell) => {
    const attempts = readAttempts(dir, cell.index);
    const trainer = lockHolder(path.join(dir, 'cells'), `${cell.index}.lock`);
    const run = readCellRun(dir, cell.index);
    if (!run) return { cell, run: null, attempts, status: trainer ? 'running' : 'pending' };
    const runDir = path.join(runsDir, run);
    if (!fs.existsSync(runDir)) return { cell, run: null, attempts, status: trainer ? 'running' : 'pending', reason: `its run ${run} was removed; it is trained again` };
    try {
      const meta = readMeta(runDir);
      let status = liveStatus(meta, runDir);
      if (trainer || (status === 'done' && fs.existsSync(path.join(runDir, runFiles.lock)) && lockHolder(runDir))) status = 'running';
      return { cell, run, attempts, status, ...(status === 'failed' && meta.error ? { reason: meta.error } : {}) };
    } catch (e) {
      return { cell, run, attempts, status: 'failed', reason: e instanceof UserError ? e.oneLine() : String(e) };
    }
  });
}
