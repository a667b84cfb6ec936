// The cost of train.tensorboard: DMIL on configs/mix.yaml (its three stages, at most 8 epochs
// each), trained with and without --tensorboard in alternating rounds, each a whole `dmil train`
// process. This machine's speed drifts by 20-30% between runs, more than the cost, so the share
// each run measures itself (log.txt: the seconds spent on events and running-loss reads against
// the seconds it trained) is the figure; the medians are printed beside it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, root } from './measure';

export function tensorboardCost(rounds = 4): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-tb-'));
  const args = ['train', path.join(root, 'configs', 'mix.yaml'), '--runs-dir', path.join(dir, 'runs'), '-q', '--set', 'model.paradigm=dmil', '--set', 'train.epochs=8'];
  const time = (extra: string[]) => {
    const t = performance.now();
    execFileSync(process.execPath, [path.join(root, 'bin', 'dmil'), ...args, ...extra], { stdio: 'ignore' });
    return (performance.now() - t) / 1000;
  };
  const plain: number[] = [];
  const board: number[] = [];
  const shares: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      plain.push(time([]));
      board.push(time(['--tensorboard']));
      const runs = path.join(dir, 'runs');
      const newest = fs.readdirSync(runs).filter((d) => !d.startsWith('.')).map((d) => path.join(runs, d)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
      const line = fs.readFileSync(path.join(newest, 'log.txt'), 'utf8').match(/tensorboard: .*?, ([\d.]+)% of the/);
      if (line) shares.push(Number(line[1]));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [p, b] = [median(plain), median(board)];
  console.log(`\ntrain.tensorboard on configs/mix.yaml (dmil, 8 epochs a stage): ${shares.map((x) => `${x.toFixed(2)}%`).join(', ')} of training time spent on TensorBoard (each run's own count)`);
  console.log(`whole processes, ${rounds} alternating rounds: ${p.toFixed(1)} s without (${plain.map((x) => x.toFixed(1)).join(', ')}), ${b.toFixed(1)} s with --tensorboard (${board.map((x) => x.toFixed(1)).join(', ')}), medians differ by ${(((b - p) / p) * 100).toFixed(1)}%`);
}
