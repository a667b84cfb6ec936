// The Slurm executor's job array: one array task per cell not done yet, each running
// `dmil sweep cell` on the shared runs folder; its submission with sbatch, and the state of each
// task from sacct and squeue. Slurm does placement, limits and requeueing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../runs/atomic';
import { DamagedFile, readRunJson } from '../runs/damaged';
import { cellStates, dmilBin } from './folder';
import type { SweepPlan } from './plan';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function slurmScript(plan: SweepPlan, dir: string, runsDir: string, cells: number[], backend: string): string {
  const s = plan.spec.slurm;
  const lines = [
    '#!/bin/bash',
    `# dmil sweep ${plan.id}: ${cells.length} of ${plan.cells.length} cells (the rest are done).`,
    `#SBATCH --job-name=dmil-${plan.name}`,
    `#SBATCH --array=0-${cells.length - 1}`,
    `#SBATCH --time=${s.time}`,
    `#SBATCH --cpus-per-task=${s.cpus}`,
    ...(s.mem ? [`#SBATCH --mem=${s.mem}`] : []),
    `#SBATCH --output=${path.join(path.resolve(dir), 'slurm-%A_%a.out')}`,
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.gpus > 0 ? [`#SBATCH --gpus=${s.gpus}`] : []),
    ...s.extra.map((e) => `#SBATCH ${e}`),
    '',
    '# The runs folder must be on a file system every node sees.',
    `CELLS=(${cells.join(' ')})`,
    `exec ${q(process.execPath)} ${q(dmilBin)} sweep cell ${q(path.resolve(dir))} "\${CELLS[$SLURM_ARRAY_TASK_ID]}" --runs-dir ${q(path.resolve(runsDir))} --backend ${backend} -q`,
    '',
  ];
  return lines.join('\n');
}

/** Submits one job array over the cells not done yet (each task runs `dmil sweep cell`); says what it did. */
export function submitSlurm(dir: string, plan: SweepPlan, runsDir: string, backend: string): string {
  const todo = cellStates(dir, runsDir, plan).filter((s) => s.status !== 'done').map((s) => s.cell.index);
  if (!todo.length) return 'every cell is done; nothing to submit';
  const script = slurmScript(plan, dir, runsDir, todo, backend);
  const file = path.join(dir, `sbatch-${Date.now()}.sh`);
  writeFileAtomic(file, script);
  let out: string;
  try {
    out = execFileSync('sbatch', ['--parsable', file], { encoding: 'utf8' }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    throw new UserError(`sbatch failed: ${err.code === 'ENOENT' ? 'sbatch is not installed here' : String(err.stderr ?? err.message).trim().split('\n')[0]}`, { where: file, hint: 'run on a Slurm login node, or use --executor local' });
  }
  const jobId = out.split(';')[0];
  writeFileAtomic(path.join(dir, 'slurm.json'), `${JSON.stringify({ job: jobId, script: file, cells: todo }, null, 2)}\n`);
  return `submitted Slurm job array ${jobId} (${todo.length} cells): ${file}; follow it with dmil sweep status ${plan.id}`;
}

/** Per cell, the Slurm state of its array task (from squeue, else sacct), when the sweep was submitted to Slurm. */
export function readSlurmJobs(dir: string): Record<number, string> | null {
  const file = path.join(dir, 'slurm.json');
  if (!fs.existsSync(file)) return null;
  const { job, cells } = readRunJson(file) as { job: string; cells: number[] };
  if (typeof job !== 'string' || !Array.isArray(cells)) throw new DamagedFile(file, 'not a Slurm submission record', 'delete it; dmil sweep status then shows the cells without their Slurm states');
  const states: Record<number, string> = {};
  const read = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const lines = `${read('sacct', ['-j', job, '-n', '-X', '-P', '-o', 'JobID,State'])}\n${read('squeue', ['-j', job, '-h', '-r', '-o', '%i|%T'])}`;
  for (const line of lines.split('\n')) {
    const m = /^\d+_(\d+)\|(\S+)/.exec(line.trim());
    if (m) states[cells[Number(m[1])]] = `${job}_${m[1]} ${m[2].toLowerCase()}`;
  }
  return states;
}

