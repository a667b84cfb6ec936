// The local executor: each cell is one `dmil sweep cell` process, at most `jobs` at a time. Each
// invocation gives every unfinished cell (new, interrupted, failed) up to 1 + retries tries, a
// failed try resuming the cell's run; a failed cell never stops the others; cells another
// process is training are waited for.
import { spawn } from 'node:child_process';
import type { Logger } from '../log';
import { cellStates, dmilBin, type CellState } from './folder';
import type { SweepPlan } from './plan';

export interface SweepOutcome {
  done: number;
  failed: number;
  states: CellState[];
}

function runCellProcess(dir: string, runsDir: string, index: number, backend: string, threads: string): Promise<number> {
  return new Promise((resolve) => {
    // A cell's outcome is in its run folder (meta.json holds a failure's message); its output is not needed.
    const child = spawn(process.execPath, [dmilBin, 'sweep', 'cell', dir, String(index), '--runs-dir', runsDir, '--backend', backend, '--threads', threads, '-q'], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** `threads`: each cell's --threads (with several jobs at once, auto would give every cell every core). */
export async function runLocal(dir: string, runsDir: string, plan: SweepPlan, jobs: number, backend: string, logger: Logger, threads = jobs > 1 ? '1' : 'auto'): Promise<SweepOutcome> {
  const tries = 1 + plan.spec.retries;
  const triedHere = new Map<number, number>();
  const spent = (c: CellState) => (triedHere.get(c.cell.index) ?? 0) >= tries;
  const counts = () => {
    const s = cellStates(dir, runsDir, plan);
    return { s, done: s.filter((c) => c.status === 'done').length, failed: s.filter((c) => c.status !== 'done' && c.status !== 'running' && spent(c)).length };
  };
  const started = Date.now();
  const running = new Set<number>();
  let finishedHere = 0;
  const next = (): number | undefined => {
    const { s } = counts();
    return s.find((c) => !running.has(c.cell.index) && c.status !== 'done' && c.status !== 'running' && !spent(c))?.cell.index;
  };
  await new Promise<void>((resolveAll, rejectAll) => {
    const pump = () => {
      try {
        let idx = running.size < jobs ? next() : undefined;
        while (idx !== undefined) {
          const i = idx;
          running.add(i);
          triedHere.set(i, (triedHere.get(i) ?? 0) + 1);
          void runCellProcess(dir, runsDir, i, backend, threads).then(() => {
            running.delete(i);
            finishedHere += 1;
            try {
              const { s, done, failed } = counts();
              const st = s[i];
              const left = plan.cells.length - done - failed;
              const perCell = (Date.now() - started) / 1000 / Math.max(finishedHere, 1);
              const eta = left > 0 ? `, about ${Math.round((perCell * left) / Math.max(jobs, 1))}s left` : '';
              logger.info(`cell ${i} (${st.cell.label}): ${st.status}${st.run ? ` ${st.run}` : ''}${st.reason ? ` (${st.reason})` : ''} | ${done} done, ${running.size} running, ${failed} failed of ${plan.cells.length}${eta}`);
            } catch (e) {
              rejectAll(e);
              return;
            }
            pump();
          });
          idx = running.size < jobs ? next() : undefined;
        }
        if (running.size === 0) {
          // Cells trained by another process (a `dmil sweep cell` of a Slurm job) are waited for.
          if (counts().s.some((c) => c.status === 'running')) setTimeout(pump, 1000);
          else resolveAll();
        }
      } catch (e) {
        rejectAll(e);
      }
    };
    pump();
  });
  const { s, done, failed } = counts();
  return { done, failed, states: s };
}
