// Listing the runs in a runs folder, oldest first. Folders without meta.json are not runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  if (!fs.existsSync(runsDir)) return [];
  const out: RunSummary[] = [];
  for (const id of fs.readdirSync(runsDir)) {
    const dir = path.join(runsDir, id);
    if (!fs.existsSync(path.join(dir, runFiles.meta))) continue;
    try {
      const meta = readMeta(dir);
      const evalFile = path.join(dir, runFiles.eval, 'test.json');
      const test = fs.existsSync(evalFile) ? (JSON.parse(fs.readFileSync(evalFile, 'utf8')) as { accuracy: number }).accuracy : null;
      out.push({ id, status: liveStatus(meta), paradigm: meta.paradigm, dataset: meta.dataset, seed: meta.seed, test_accuracy: test, started: meta.started });
    } catch {
      out.push({ id, status: 'unreadable', paradigm: '-', dataset: '-', seed: null, test_accuracy: null, started: '-' });
    }
  }
  return out.sort((a, b) => a.started.localeCompare(b.started) || a.id.localeCompare(b.id));
}
