// Where a run came from: package versions and the git commit of the dmil checkout, if any.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

export const packageRoot = path.resolve(__dirname, '..', '..', '..');

export function versions(): Record<string, string> {
  const own = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return { dmil: own.version, 'tfjs-core': tf.version_core, node: process.version };
}

const git = (args: string[]): string =>
  execFileSync('git', args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }).toString();

export interface SourceState {
  /** HEAD of the dmil checkout, or null outside a git checkout. */
  commit: string | null;
  /** Whether tracked or untracked files differ from HEAD. */
  dirty: boolean;
  /** `git status --short` and `git diff HEAD`, when dirty: what the run's code was beyond the commit. */
  diff?: string;
}

export function sourceState(): SourceState {
  try {
    const commit = git(['rev-parse', 'HEAD']).trim() || null;
    const status = git(['status', '--porcelain', '--untracked-files=normal']);
    if (!status.trim()) return { commit, dirty: false };
    return { commit, dirty: true, diff: `# git status --porcelain\n${status}\n# git diff HEAD\n${git(['diff', 'HEAD'])}` };
  } catch {
    return { commit: null, dirty: false };
  }
}
