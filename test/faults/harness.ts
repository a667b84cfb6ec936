// Fault injection for run folders: the real CLI, killed at its N-th write point (the code's
// DMIL_FAULT_KILL_AT hook, src/runs/storage.ts), then resumed, compared with a run that was never
// interrupted.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dmilBin, repoRoot } from '../helpers';

export interface Proc {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [dmilBin, ...args], { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Runs `jobs` with at most `width` at a time, results in order. */
export async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }));
  return out;
}

/** What must be identical between two runs of one config: metrics (timing aside) and both eval reports (run id aside). */
export function runResult(dir: string): { metrics: string[]; val: unknown; test: unknown; stages: string[] } {
  const metrics = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const header = metrics[0].split(',');
  const t = header.indexOf('epoch_seconds');
  const rows = metrics.map((l) => l.split(',').filter((_, i) => i !== t).join(','));
  const report = (s: string) => ({ ...JSON.parse(fs.readFileSync(path.join(dir, 'eval', `${s}.json`), 'utf8')), run: '' });
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  return { metrics: rows, val: report('val'), test: report('test'), stages: meta.stages_done };
}

/** Every file and folder under `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

export const runFolders = (runsDir: string) => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((d) => !d.startsWith('.')) : []);
