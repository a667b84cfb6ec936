// `npm run bench`: training throughput (samples/s) of each paradigm on each backend that loads,
// and the wasm kernel overrides against stock wasm. Speed is measured here, never in tests.
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend, type BackendChoice } from '../src/backend/select';
import { chromiumPath, openReport } from './browser';
import { profileKernels } from './profile';
import { installWasmKernels } from '../src/backend/wasmKernels';
import { readConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { trainNew } from '../src/experiment/train';
import { readMetrics } from '../src/runs/metricsFile';
import { measurePid, type PidEstimator } from '../src/experiment/pid';
import { buildModel } from '../src/paradigms';
import { Optimizer } from '../src/train/optimizer';
import { stepper, trainStep } from '../src/train/step';
import { Rng } from '../src/rng';

const root = path.resolve(__dirname, '..', '..');
/** Warm-up (JIT, kernel caches) until either bound is reached; then measure for MIN_SECONDS. */
const WARMUP_STEPS = 30;
const WARMUP_SECONDS = 1.5;
const MIN_SECONDS = 3;

/** Samples per second of training steps (forward, backward, update) of every stage of a paradigm. */
async function throughput(config: Config): Promise<Record<string, number>> {
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const train = splitIndices(data, 'train');
  const bs = config.train.batch_size;
  const rng = new Rng(0);
  const out: Record<string, number> = {};
  for (const stage of model.stages) {
    const optimizer = new Optimizer(config.train.optimizer, model.params, stage.trainable);
    const s = stepper(model, stage, optimizer);
    const run = (steps: number) => {
      for (let i = 0; i < steps; i++) {
        const idx = Int32Array.from({ length: bs }, () => train[rng.int(train.length)]);
        const batch = makeBatch(data, idx);
        const r = trainStep(s, batch, 1e-3);
        r.dataSync();
        r.dispose();
        disposeBatch(batch);
      }
    };
    const warm = performance.now();
    for (let i = 0; i < WARMUP_STEPS && performance.now() - warm < WARMUP_SECONDS * 1000; i++) run(1);
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < MIN_SECONDS * 1000) {
      run(1);
      steps += 1;
    }
    out[stage.name] = (steps * bs) / ((performance.now() - t0) / 1000);
    optimizer.dispose();
  }
  model.params.dispose();
  return out;
}

const fmt = (x: number) => x.toFixed(0).padStart(9);

/** Loads a data config in a child process; returns its time and peak memory. */
function timeLoad(data: Record<string, unknown>): { seconds: number; samples: number; features: number; peakRssMiB: number; baselineRssMiB: number } {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'load.js'), JSON.stringify({ data })], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out);
}

function writeBigCsv(file: string, rows: number, cols: number): void {
  const rng = new Rng(1);
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, ['id', 'label', ...Array.from({ length: cols }, (_, k) => `f${k}`)].join(',') + '\n');
  for (let i = 0; i < rows; i++) {
    const cells = [String(i), String(i % 10)];
    for (let k = 0; k < cols; k++) cells.push(rng.normal().toFixed(4));
    fs.writeSync(fd, cells.join(',') + '\n');
  }
  fs.closeSync(fd);
}

/** configs/xor.yaml with the given paradigm. */
/** configs/xor.yaml as `paradigm`; DMIL with all three of its stages, so finetune's step is measured too. */
const benchConfig = (paradigm: string): Config => readConfigFile(path.join(root, 'configs', 'xor.yaml'), [
  `model.paradigm=${paradigm}`,
  ...(paradigm === 'dmil' ? ['model.dmil.stages=[{name: decompose-intra}, {name: decompose-cross}, {name: finetune}]'] : []),
]).config;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * dmil's wasm kernel overrides against stock wasm on the joint training step, in alternating
 * rounds (this machine's speed drifts by 20-30% between runs), reported as medians.
 */
async function overridesAgainstStock(): Promise<void> {
  await selectBackend('wasm');
  const joint = benchConfig('joint');
  const rounds = { overrides: [] as number[], stock: [] as number[] };
  for (let round = 0; round < 3; round++) {
    rounds.overrides.push((await throughput(joint)).train);
    const restore = installWasmKernels();
    restore();
    rounds.stock.push((await throughput(joint)).train);
    installWasmKernels();
  }
  const [o, st] = [median(rounds.overrides), median(rounds.stock)];
  console.log(`\nwasm joint training step, 3 alternating rounds: ${o.toFixed(0)} samples/s with dmil's kernel overrides (rounds ${rounds.overrides.map((x) => x.toFixed(0)).join(', ')}), ${st.toFixed(0)} stock (${rounds.stock.map((x) => x.toFixed(0)).join(', ')}): ${(o / st).toFixed(1)}x`);
}

async function loading(): Promise<void> {
  console.log('\ndata loading (including standardisation), each in its own process');
  const fashion = '/usr/share/datasets/fashion-mnist';
  if (fs.existsSync(path.join(fashion, 'train-images-idx3-ubyte.gz'))) {
    const r = timeLoad({
      source: 'idx', images: `${fashion}/train-images-idx3-ubyte.gz`, labels: `${fashion}/train-labels-idx1-ubyte.gz`,
      test_images: `${fashion}/t10k-images-idx3-ubyte.gz`, test_labels: `${fashion}/t10k-labels-idx1-ubyte.gz`,
    });
    console.log(`Fashion-MNIST, ${r.samples} x ${r.features} (idx, gzipped): ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB (${r.baselineRssMiB.toFixed(0)} MiB before loading)`);
  } else {
    console.log('Fashion-MNIST: not installed (apt-get install dataset-fashion-mnist); skipped');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-'));
  const csv = path.join(dir, 'big.csv');
  const t0 = performance.now();
  writeBigCsv(csv, 100_000, 256);
  const mib = fs.statSync(csv).size / 2 ** 20;
  console.log(`(wrote a 100,000 x 256 CSV of ${mib.toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const r = timeLoad({ source: 'csv', path: csv, id: 'id', modalities: [{ name: 'x', columns: 'f*' }] });
  console.log(`CSV, ${r.samples} x ${r.features} (${mib.toFixed(0)} MiB): ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB (${r.baselineRssMiB.toFixed(0)} MiB before loading)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** `dmil pid` on configs/mix.yaml's 6,000 samples, each estimator alone, wall-clock seconds. */
async function pidSpeed(): Promise<void> {
  await selectBackend('wasm');
  const config = readConfigFile(path.join(root, 'configs', 'mix.yaml'), ['model.paradigm=joint']).config;
  const { data } = await prepareForTraining(config);
  const quiet = { info: () => undefined, warn: () => undefined, progress: () => ({ tick: () => undefined, stop: () => undefined }) };
  for (const estimators of [['exact'], ['batch'], ['exact', 'batch']] as PidEstimator[][]) {
    const t = performance.now();
    await measurePid({ config, data, estimators, pointwise: estimators.includes('batch'), logger: quiet });
    console.log(`dmil pid on configs/mix.yaml (${data.labels.length} samples), ${estimators.join(' + ')}${estimators.includes('batch') ? ' and pointwise' : ''}, ${config.pid.bootstrap} bootstrap resamples: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/**
 * Settings where a GPU pays, per backend that loads (webgpu only on a hardware adapter): joint,
 * DMIL's stages and the conv2d backbone, plus a wide MLP (hidden 1024, batch 512).
 */
async function gpuCases(): Promise<void> {
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  const hasFashion = fashion.data.source === 'idx' && fs.existsSync(fashion.data.images);
  for (const choice of ['webgpu', 'wasm'] as BackendChoice[]) {
    try {
      const report = await selectBackend(choice);
      if (report.adapter) console.log(`webgpu adapter: ${JSON.stringify(report.adapter)}`);
    } catch (e) {
      console.log(`${choice.padEnd(8)}not available: ${(e as Error).message}`);
      continue;
    }
    const wide = readConfigFile(path.join(root, 'configs', 'xor.yaml'), ['model.paradigm=joint', 'model.backbone.hidden=[1024]', 'model.backbone.out=1024', 'train.batch_size=512']).config;
    console.log(`${choice.padEnd(8)}joint, MLP hidden 1024, batch 512: ${fmt((await throughput(wide)).train)} samples/s`);
    for (const [stage, sps] of Object.entries(await throughput(benchConfig('joint')))) console.log(`${choice.padEnd(8)}joint ${stage}: ${fmt(sps)} samples/s`);
    for (const [stage, sps] of Object.entries(await throughput(benchConfig('dmil')))) console.log(`${choice.padEnd(8)}dmil ${stage}: ${fmt(sps)} samples/s`);
    if (hasFashion) {
      const conv = { ...fashion, data: { ...fashion.data, limit: 3000 }, model: { ...fashion.model, backbone: { ...fashion.model.backbone, type: 'conv2d' as const } } };
      console.log(`${choice.padEnd(8)}joint, conv2d on Fashion-MNIST halves: ${fmt((await throughput(conv)).train)} samples/s`);
    }
  }
}

/**
 * `dmil report` of a DMIL run on configs/mix.yaml: the file's size, the time to write it (load the
 * run, predict the test split, render every figure), and the time Chromium takes to load it.
 */
async function reportSpeed(): Promise<void> {
  const chromium = chromiumPath();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-report-'));
  const dmil = (args: string[]) => execFileSync(process.execPath, [path.join(root, 'bin', 'dmil'), ...args, '--runs-dir', path.join(dir, 'runs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const id = dmil(['train', path.join(root, 'configs', 'mix.yaml'), '-q']).trim().split('\n').pop()!;
  const writes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    dmil(['report', id]);
    writes.push(performance.now() - t);
  }
  const file = path.join(dir, 'runs', id, 'report.html');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  let shown = 'not measured: no Chromium (install Debian\'s chromium, or set CHROMIUM)';
  if (chromium) {
    const pages = [];
    for (let i = 0; i < 5; i++) pages.push(await openReport(file));
    const [loads, drawn] = [pages.map((p) => p.loadMs), pages.map((p) => p.renderedMs)];
    shown = `in Chromium: loaded in ${median(loads).toFixed(0)} ms, drawn in ${median(drawn).toFixed(0)} ms (medians of 5 opens; drawn: ${drawn.map((x) => x.toFixed(0)).join(', ')} ms)`;
  }
  console.log(`dmil report of a DMIL run on configs/mix.yaml: ${(fs.statSync(file).size / 1024 / 1024).toFixed(2)} MB, written in ${(median(writes) / 1000).toFixed(2)} s (median of 3, the whole command), ${shown}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Epoch wall time against training-step time of a real training (run folder, metrics, checkpoints), from the loop's --verbose detail. */
async function epochOverhead(config: Config): Promise<{ steps: number; wall: number; samples: number }> {
  const backend = await selectBackend('wasm');
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-epoch-'));
  const sum = { steps: 0, wall: 0, samples: 0 };
  const capture = {
    info: () => undefined, warn: () => undefined, progress: () => ({ tick: () => undefined, stop: () => undefined }),
    detail: (line: string) => {
      const m = line.match(/time: ([\d.]+) s: steps ([\d.]+)/);
      if (m) Object.assign(sum, { wall: sum.wall + Number(m[1]), steps: sum.steps + Number(m[2]) });
    },
  };
  try {
    const r = await trainNew(config, { runsDir, backend, logger: capture, command: [] });
    sum.samples = readMetrics(path.join(r.dir, 'metrics.csv')).filter((row) => row.split === 'train').length * splitIndices((await prepareForTraining(config)).data, 'train').length;
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
  return sum;
}

interface Reference { measured: string; by: string; machine: string; samples_per_second: Record<string, number> }

/**
 * dmil against a reference (samples/s per workload measured elsewhere, e.g. by
 * bench/reference/torch_speed.py): the same networks, sizes and batch, training steps only,
 * plus a real joint training's epoch wall time against its step time, and peak memory.
 */
async function sideBySide(file: string): Promise<void> {
  const ref = JSON.parse(fs.readFileSync(file, 'utf8')) as Reference;
  const refOf = (key: string) => ref.samples_per_second[key];
  console.log(`dmil (wasm, this machine, ${new Date().toISOString().slice(0, 10)}) against ${path.basename(file)} (${ref.by}; ${ref.machine}; measured ${ref.measured}); training steps, samples/s`);
  // Each thread count in a process of its own: the wasm backend is set up once per process.
  const measured = [1, 2].map((threads) => JSON.parse(execFileSync(process.execPath, [__filename, '--workloads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Record<string, { name: string; sps: number }>);
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
  const mix = (sets: string[]) => readConfigFile(path.join(root, 'configs', 'mix.yaml'), sets).config;
  const e = await epochOverhead(mix(['model.paradigm=joint']));
  console.log(`joint, configs/mix.yaml, a whole training (1 thread): epochs' wall time ${e.wall.toFixed(2)} s against their training steps ${e.steps.toFixed(2)} s: wall / steps ${(e.wall / e.steps).toFixed(3)} (target <= 1.15); ${fmt(e.samples / e.wall).trim()} samples/s as the user waits`);
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  if (fashion.data.source === 'idx' && fs.existsSync(fashion.data.images)) {
    const rss = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'trainRss.js'), path.join(root, 'configs', 'fashion-halves.yaml'), 'train.epochs=2'], { encoding: 'utf8' })) as { seconds: number; peakRssMiB: number };
    console.log(`configs/fashion-halves.yaml, 2 epochs, whole training in its own process: ${rss.seconds.toFixed(1)} s, peak RSS ${rss.peakRssMiB.toFixed(0)} MiB`);
  }
  await convProfile();
  await dmilProfile();
}

/** The side-by-side workloads on `threads` wasm threads, as JSON on stdout (run in a child process by sideBySide). */
async function workloads(threads: number): Promise<void> {
  await selectBackend('wasm', { threads });
  const out: Record<string, { name: string; sps: number }> = {};
  const mix = (sets: string[]) => readConfigFile(path.join(root, 'configs', 'mix.yaml'), sets).config;
  out['joint-mix'] = { name: 'joint, configs/mix.yaml', sps: (await throughput(mix(['model.paradigm=joint']))).train };
  const dmil = await throughput(mix(['model.dmil.stages=[{name: decompose-intra}, {name: decompose-cross}, {name: finetune}]']));
  for (const [stage, sps] of Object.entries(dmil)) out[`dmil-mix-${stage}`] = { name: `dmil ${stage}, configs/mix.yaml`, sps };
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  if (fashion.data.source === 'idx' && fs.existsSync(fashion.data.images)) {
    const conv = { ...fashion, data: { ...fashion.data, limit: 3000 }, model: { ...fashion.model, backbone: { ...fashion.model.backbone, type: 'conv2d' as const } } };
    out['conv2d-halves'] = { name: 'joint conv2d, Fashion-MNIST halves', sps: (await throughput(conv)).train };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Where each stage's training step spends its time on wasm, per kernel (the top 12), with the ops per step. */
async function profileStages(label: string, config: Config): Promise<void> {
  await selectBackend('wasm');
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const train = splitIndices(data, 'train');
  const rng = new Rng(0);
  const bs = config.train.batch_size;
  for (const stage of model.stages) {
    const optimizer = new Optimizer(config.train.optimizer, model.params, stage.trainable);
    const s = stepper(model, stage, optimizer);
    const step = () => {
      const batch = makeBatch(data, Int32Array.from({ length: bs }, () => train[rng.int(train.length)]));
      const r = trainStep(s, batch, 1e-3);
      r.dataSync();
      r.dispose();
      disposeBatch(batch);
    };
    for (let i = 0; i < 5; i++) step();
    const steps = 20;
    const t0 = performance.now();
    const times = await profileKernels('wasm', () => {
      for (let i = 0; i < steps; i++) step();
    });
    const total = performance.now() - t0;
    const ops = times.reduce((a, t) => a + t.calls, 0) / steps;
    console.log(`${label}${model.stages.length > 1 ? ` ${stage.name}` : ''}: training step on wasm per kernel (${steps} steps of batch ${bs}, ${(total / steps).toFixed(1)} ms a step, ${ops.toFixed(0)} kernel calls a step, ${fmt(steps * bs / (total / 1000)).trim()} samples/s under the profiler):`);
    for (const t of times.slice(0, 12)) console.log(`  ${t.kernel.padEnd(24)}${(t.ms / steps).toFixed(2).padStart(8)} ms/step${(100 * t.ms / total).toFixed(1).padStart(7)}%${String(t.calls / steps).padStart(6)} calls/step`);
    optimizer.dispose();
  }
  model.params.dispose();
}

/** The conv2d joint step (Fashion-MNIST halves shapes), per kernel. */
async function convProfile(): Promise<void> {
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  if (fashion.data.source !== 'idx' || !fs.existsSync(fashion.data.images)) {
    console.log('conv profile: not measured (no Fashion-MNIST: apt-get install dataset-fashion-mnist)');
    return;
  }
  const conv = { ...fashion, data: { ...fashion.data, limit: 3000 }, model: { ...fashion.model, backbone: { ...fashion.model.backbone, type: 'conv2d' as const } } };
  await profileStages('conv2d joint, Fashion-MNIST halves', conv);
}

/** DMIL's three stages on configs/mix.yaml, per kernel: many small ops, where dispatch dominates. */
async function dmilProfile(): Promise<void> {
  await profileStages('dmil, configs/mix.yaml', readConfigFile(path.join(root, 'configs', 'mix.yaml'), ['model.dmil.stages=[{name: decompose-intra}, {name: decompose-cross}, {name: finetune}]']).config);
}

async function main(): Promise<void> {
  if (process.argv.includes('--conv-profile')) return convProfile();
  if (process.argv.includes('--dmil-profile')) return dmilProfile();
  const workloadsAt = process.argv.indexOf('--workloads');
  if (workloadsAt >= 0) return workloads(Number(process.argv[workloadsAt + 1] ?? 1));
  const refAt = process.argv.indexOf('--reference');
  if (refAt >= 0) return sideBySide(process.argv[refAt + 1] ?? path.join(root, 'bench', 'reference', 'pytorch-cpu.json'));
  if (process.argv.includes('--report-only')) return reportSpeed();
  if (process.argv.includes('--gpu-only')) return gpuCases();
  if (process.argv.includes('--pid-only')) return pidSpeed();
  if (process.argv.includes('--load-only')) return loading();
  if (process.argv.includes('--overrides-only')) return overridesAgainstStock();
  const base = benchConfig('joint');
  const paradigms = ['joint', 'ensemble', 'unimodal', 'dmil'] as const;
  console.log(`training throughput on configs/xor.yaml (batch ${base.train.batch_size}), samples/s, >= ${MIN_SECONDS}s per measurement`);
  console.log(`${'backend'.padEnd(12)}${'paradigm'.padEnd(10)}${'stage'.padEnd(17)}samples/s`);
  const results: Record<string, Record<string, number>> = {};
  for (const choice of ['tensorflow', 'wasm', 'cpu'] as BackendChoice[]) {
    try {
      await selectBackend(choice);
    } catch (e) {
      console.log(`${choice.padEnd(12)}not available: ${(e as Error).message}`);
      continue;
    }
    for (const paradigm of paradigms) {
      const config = benchConfig(paradigm);
      const r = await throughput(config);
      results[`${choice}/${paradigm}`] = r;
      for (const [stage, sps] of Object.entries(r)) console.log(`${choice.padEnd(12)}${paradigm.padEnd(10)}${stage.padEnd(17)}${fmt(sps)}`);
    }
  }

  await overridesAgainstStock();

  // Conv backbones: stock wasm cannot train them at all (no Conv2DBackpropFilter).
  const fashion = readConfigFile(path.join(root, 'configs', 'fashion-halves.yaml')).config;
  if (fashion.data.source === 'idx' && fs.existsSync(fashion.data.images)) {
    const conv = { ...fashion, data: { ...fashion.data, limit: 3000 }, model: { ...fashion.model, backbone: { ...fashion.model.backbone, type: 'conv2d' as const } } };
    // Not on cpu: measured at 2 samples/s there (about a minute per step).
    await selectBackend('wasm');
    console.log(`wasm joint, conv2d backbones [16, 32, 64] on Fashion-MNIST halves (14x28x1): ${(await throughput(conv)).train.toFixed(0)} samples/s`);
  }
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
  await loading();
  await pidSpeed();
  await reportSpeed();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
