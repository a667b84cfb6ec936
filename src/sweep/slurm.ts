// The Slurm executor's job array: one array task per cell not done yet, each running
// `dmil sweep cell` on the shared runs folder. Slurm does placement, limits and requeueing.
import * as path from 'node:path';
import { dmilBin } from './folder';
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
