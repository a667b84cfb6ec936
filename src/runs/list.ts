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
}

export function listRuns(runsDir: string): RunSummary[] {
  if (!fs.existsSync(runsDir)) throw new UserError('runs folder does not exist', { where: runsDir, hint: 'pass the folder your runs are in with --runs-dir (default: runs)' });
  if (!fs.statSync(runsDir).isDirectory()) throw new UserError('runs folder is a file, not a folder', { where: runsDir, hint: 'pass a folder with --runs-dir' });
  const out: RunSummary[] = [];
  for (const id of fs.readdirSync(runsDir)) {
    const dir = path.join(runsDir, id);
    if (!fs.existsSync(path.join(dir, runFiles.meta))) continue;
    try {
      const meta = readMeta(dir);
      out.push({ id, status: liveStatus(meta, dir), paradigm: meta.paradigm, dataset: meta.dataset, seed: meta.seed, test_accuracy: testAccuracy(dir), started: meta.started });
    } catch {
      out.push({ id, status: 'unreadable', paradigm: '-', dataset: '-', seed: null, test_accuracy: null, started: '-' });
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
