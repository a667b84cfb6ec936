// Listing the runs in a runs folder, oldest first. Folders without meta.json are not runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { liveStatus, readMeta, type RunStatus } from './meta';
import { runFiles } from './runFolder';

export interface RunSummary {
  id: string;
  status: RunStatus | 'unreadable';
  paradigm: string;
  dataset: string;
  seed: number | null;
  test_accuracy: number | null;
  started: string;
  /** What distinguishes the run: its --set overrides, or its sweep cell's setting. */
  overrides: string;
  /** The data it was trained on: the first input file, or the source. */
  data: string;
  /** The sweep it belongs to, if any. */
  sweep: string | null;
  /** The epoch each stage kept. */
  best_epochs: Record<string, number>;
}

export function listRuns(runsDir: string): RunSummary[] {
  if (!fs.existsSync(runsDir)) throw new UserError('runs folder does not exist', { where: runsDir, hint: 'pass the folder your runs are in with --runs-dir (default: runs)' });
  if (!fs.statSync(runsDir).isDirectory()) throw new UserError('runs folder is a file, not a folder', { where: runsDir, hint: 'pass a folder with --runs-dir' });
  const out: RunSummary[] = [];
  for (const id of fs.readdirSync(runsDir)) {
    const dir = path.join(runsDir, id);
    // Hidden folders are a killed writer's temporary copies, never runs.
    if (id.startsWith('.') || !fs.existsSync(path.join(dir, runFiles.meta))) continue;
    try {
      const meta = readMeta(dir);
      const origin = originOf(meta.command ?? []);
      out.push({
        id, status: liveStatus(meta, dir), paradigm: meta.paradigm, dataset: meta.dataset, seed: meta.seed, test_accuracy: testAccuracy(dir), started: meta.started,
        overrides: origin.overrides, data: dataOf(dir, meta.dataset), sweep: origin.sweep,
        best_epochs: Object.fromEntries(Object.entries(meta.selection ?? {}).map(([stage, sel]) => [stage, sel.best_epoch])),
      });
    } catch {
      out.push({ id, status: 'unreadable', paradigm: '-', dataset: '-', seed: null, test_accuracy: null, started: '-', overrides: '', data: '-', sweep: null, best_epochs: {} });
    }
  }
  return out.sort((a, b) => a.started.localeCompare(b.started) || a.id.localeCompare(b.id));
}

/** The test accuracy from eval/test.json; null when there is none or it cannot be read (eval rewrites it). */
function testAccuracy(dir: string): number | null {
  try {
    const acc = (JSON.parse(fs.readFileSync(path.join(dir, runFiles.eval, 'test.json'), 'utf8')) as { accuracy?: unknown }).accuracy;
    return typeof acc === 'number' ? acc : null;
  } catch {
    return null;
  }
}

/** The --set overrides of the command that trained a run, or its sweep cell's setting. */
function originOf(command: readonly string[]): { overrides: string; sweep: string | null } {
  const i = command.indexOf('sweep');
  if (i >= 0 && command[i + 1] === 'cell') {
    const dir = command[i + 2];
    try {
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as { id: string; cells: { label: string }[] };
      return { overrides: plan.cells[Number(command[i + 3])]?.label ?? '', sweep: plan.id };
    } catch {
      return { overrides: '', sweep: path.basename(dir ?? '') || null };
    }
  }
  const sets = command.flatMap((a, j) => (a === '--set' && command[j + 1] ? [command[j + 1]] : a.startsWith('--set=') ? [a.slice(6)] : []));
  return { overrides: sets.join(' '), sweep: null };
}

/** The first data file the run's fingerprint names, else the source. */
function dataOf(dir: string, source: string): string {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, runFiles.data), 'utf8')) as { fingerprint?: { files?: { path: string }[] } };
    const f = info.fingerprint?.files?.[0]?.path;
    return f ? path.basename(f) : source;
  } catch {
    return source;
  }
}
