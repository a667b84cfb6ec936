// dmil against a speed reference measured elsewhere (bench/reference/torch_speed.py: the same
// networks in PyTorch): training steps per workload on one and two wasm threads, a whole
// training's epoch overhead, and peak memory.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../src/backend/select';
import type { Config } from '../src/config/schema';
import { readDataInfo } from '../src/experiment/data';
import { trainNew } from '../src/experiment/train';
import { silentLogger } from '../src/log';
import { readMetrics } from '../src/runs/metricsFile';
import { dmilMixConfig, fashionConvConfig, fmt, mixConfig, root, throughput } from './measure';

/** Epoch wall time against training-step time of a real training (run folder, metrics, checkpoints). */
async function epochOverhead(config: Config): Promise<{ steps: number; wall: number; samples: number }> {
  const backend = await selectBackend('wasm');
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-epoch-'));
  try {
    const r = await trainNew(config, { runsDir, backend, logger: silentLogger, command: [] });
    const epochs = readMetrics(path.join(r.dir, 'metrics.csv')).filter((row) => row.split === 'train').length;
    return { steps: r.time.steps, wall: r.time.wall, samples: epochs * readDataInfo(r.dir).splitSizes.train };
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

interface Reference { measured: string; by: string; machine: string; samples_per_second: Record<string, number> }

/**
 * dmil against a reference (samples/s per workload measured elsewhere, e.g. by
 * bench/reference/torch_speed.py): the same networks, sizes and batch, training steps only,
 * plus a real joint training's epoch wall time against its step time, and peak memory.
 */
export async function sideBySide(file: string): Promise<void> {
  const ref = JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
  const refOf = (key: string) => ref.samples_per_second[key];
  console.log(`dmil (wasm, this machine, ${new Date().toISOString().slice(0, 10)}) against ${path.basename(file)} (${ref.by}; ${ref.machine}; measured ${ref.measured}); training steps, samples/s`);
  // Each thread count in a process of its own: the wasm backend is set up once per process.
  const measured = [1, 2].map((threads) => JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'run.js'), '--workloads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Record<string, { name: string; sps: number }>);
  const head = ['workload', 'dmil 1 thr', 'ref 1 thr', 'ratio', 'dmil 2 thr', '2 / 1 thr', 'ref 2 thr', 'ratio'];
  const widths = [52, 11, 10, 7, 11, 10, 10, 7];
  const row = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(''));
  row(head);
  const x = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '-');
  for (const [key, { name, sps }] of Object.entries(measured[0])) {
    const two = measured[1][key]?.sps ?? Number.NaN;
    const [r1, r2] = [refOf(`${key}@1`), refOf(`${key}@2`)];
    row([name, fmt(sps).trim(), r1 ? fmt(r1).trim() : '-', x(sps, r1), fmt(two).trim(), x(two, sps), r2 ? fmt(r2).trim() : '-', x(two, r2)]);
  }
  await selectBackend('wasm');
  const e = await epochOverhead(mixConfig(['model.paradigm=joint']));
  console.log(`joint, configs/mix.yaml, a whole training (1 thread): epochs' wall time ${e.wall.toFixed(2)} s against their training steps ${e.steps.toFixed(2)} s: wall / steps ${(e.wall / e.steps).toFixed(3)} (target <= 1.15); ${fmt(e.samples / e.wall).trim()} samples/s as the user waits`);
  if (fashionConvConfig()) {
    const rss = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'trainRss.js'), path.join(root, 'configs', 'fashion-halves.yaml'), 'train.epochs=2'], { encoding: 'utf8' })) as { seconds: number; peakRssMiB: number };
    console.log(`configs/fashion-halves.yaml, 2 epochs, whole training in its own process: ${rss.seconds.toFixed(1)} s, peak RSS ${rss.peakRssMiB.toFixed(0)} MiB`);
  }
  // The profiles each in a process of their own too: run in this process after the workloads
  // above, the conv step's filter gradient measured 38.6 ms against 28.7 in a fresh process.
  for (const args of [['--conv-layers', '1'], ['--conv-layers', '2'], ['--conv-profile'], ['--dmil-profile']]) {
    execFileSync(process.execPath, [path.join(__dirname, 'run.js'), ...args], { stdio: 'inherit' });
  }
}

/** The side-by-side workloads on `threads` wasm threads, as JSON on stdout (run in a child process by sideBySide). */
export async function workloads(threads: number): Promise<void> {
  await selectBackend('wasm', { threads });
  const out: Record<string, { name: string; sps: number }> = {};
  out['joint-mix'] = { name: 'joint, configs/mix.yaml', sps: (await throughput(mixConfig(['model.paradigm=joint']))).train };
  const dmil = await throughput(dmilMixConfig());
  for (const [stage, sps] of Object.entries(dmil)) out[`dmil-mix-${stage}`] = { name: `dmil ${stage}, configs/mix.yaml`, sps };
  const conv = fashionConvConfig();
  if (conv) {
    out['conv2d-halves'] = { name: 'joint conv2d, Fashion-MNIST halves', sps: (await throughput(conv)).train };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

