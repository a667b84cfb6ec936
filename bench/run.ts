// `npm run bench`: training throughput (samples/s) of each paradigm on each backend that loads,
// the wasm kernel overrides against stock wasm, data loading, `dmil pid` and `dmil report`.
// Speed is measured here, never in tests. Modes: --reference FILE (against PyTorch, versus.ts),
// --conv-profile and --dmil-profile (per kernel, profile.ts), --conv-layers N (the conv
// backbone layer by layer on N threads, profile.ts), --report-only, --gpu-only,
// --pid-only, --load-only, --files-only (benchmark pickles and HDF5 files, files.ts),
// --tensorboard-only (the cost of train.tensorboard, tensorboard.ts),
// --overrides-only, --memory-only [--backend NAME] (memory.ts).
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend, type BackendChoice } from '../src/backend/select';
import { installWasmKernels } from '../src/backend/wasmKernels';
import { readConfigFile } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { prepareForTraining } from '../src/experiment/data';
import { silentLogger } from '../src/log';
import { measurePid, type PidEstimator } from '../src/pid/measure';
import { Rng } from '../src/rng';
import { chromiumPath, openReport } from './browser';
import { benchmarkFiles } from './files';
import { tensorboardCost } from './tensorboard';
import { fashionConvConfig, fmt, median, MIN_SECONDS, root, throughput } from './measure';
import { memoryOverRun } from './memory';
import { convLayers, convProfile, dmilProfile } from './profile';
import { sideBySide, workloads } from './versus';

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
  benchmarkFiles();
}

/** `dmil pid` on configs/mix.yaml's 6,000 samples, each estimator alone, wall-clock seconds. */
async function pidSpeed(): Promise<void> {
  await selectBackend('wasm');
  const config = readConfigFile(path.join(root, 'configs', 'mix.yaml'), ['model.paradigm=joint']).config;
  const { data } = await prepareForTraining(config);
  for (const estimators of [['exact'], ['batch'], ['exact', 'batch']] as PidEstimator[][]) {
    const t = performance.now();
    await measurePid({ config, data, estimators, pointwise: estimators.includes('batch'), logger: silentLogger });
    console.log(`dmil pid on configs/mix.yaml (${data.labels.length} samples), ${estimators.join(' + ')}${estimators.includes('batch') ? ' and pointwise' : ''}, ${config.pid.bootstrap} bootstrap resamples: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/**
 * Settings where a GPU pays, per backend that loads (webgpu only on a hardware adapter): joint,
 * DMIL's stages and the conv2d backbone, plus a wide MLP (hidden 1024, batch 512).
 */
async function gpuCases(): Promise<void> {
  const conv = fashionConvConfig();
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
    if (conv) {
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

async function main(): Promise<void> {
  if (process.argv.includes('--conv-profile')) return convProfile();
  const layersAt = process.argv.indexOf('--conv-layers');
  if (layersAt >= 0) return convLayers(Number(process.argv[layersAt + 1] ?? 1));
  if (process.argv.includes('--dmil-profile')) return dmilProfile();
  const workloadsAt = process.argv.indexOf('--workloads');
  if (workloadsAt >= 0) return workloads(Number(process.argv[workloadsAt + 1] ?? 1));
  const refAt = process.argv.indexOf('--reference');
  if (refAt >= 0) return sideBySide(process.argv[refAt + 1] ?? path.join(root, 'bench', 'reference', 'pytorch-cpu.json'));
  if (process.argv.includes('--report-only')) return reportSpeed();
  if (process.argv.includes('--gpu-only')) return gpuCases();
  const backendAt = process.argv.indexOf('--backend');
  if (process.argv.includes('--memory-only')) return memoryOverRun((backendAt >= 0 ? process.argv[backendAt + 1] : 'wasm') as BackendChoice);
  if (process.argv.includes('--pid-only')) return pidSpeed();
  if (process.argv.includes('--load-only')) return loading();
  if (process.argv.includes('--files-only')) return benchmarkFiles();
  if (process.argv.includes('--tensorboard-only')) return tensorboardCost();
  if (process.argv.includes('--overrides-only')) return overridesAgainstStock();
  if (process.argv.includes('--paradigms-only')) return paradigmSpeed([(backendAt >= 0 ? process.argv[backendAt + 1] : 'wasm') as BackendChoice]);
  await paradigmSpeed(['tensorflow', 'wasm', 'cpu']);

  await overridesAgainstStock();

  // Conv backbones: stock wasm cannot train them at all (no Conv2DBackpropFilter).
  const conv = fashionConvConfig();
  if (conv) {
    // Not on cpu: measured at 2 samples/s there (about a minute per step).
    await selectBackend('wasm');
    console.log(`wasm joint, conv2d backbones [16, 32, 64] on Fashion-MNIST halves (14x28x1): ${(await throughput(conv)).train.toFixed(0)} samples/s`);
  }
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
  await loading();
  await pidSpeed();
  await reportSpeed();
  tensorboardCost();
}

/** Training steps per second of every paradigm's stages on the xor config's backbone, on each backend that loads, beside joint's. */
async function paradigmSpeed(choices: BackendChoice[]): Promise<void> {
  const base = benchConfig('joint');
  const paradigms = ['joint', 'ensemble', 'unimodal', 'late-fusion', 'ogm-ge', 'pmr', 'mla', 'qmf', 'i2m2', 'i2moe', 'dmil'] as const;
  console.log(`training throughput on configs/xor.yaml (batch ${base.train.batch_size}, backbone mlp ${base.model.backbone.hidden.join('x')} -> ${base.model.backbone.out}), samples/s, >= ${MIN_SECONDS}s per measurement; x joint: the time of one sample's step against joint's`);
  console.log(`${'backend'.padEnd(12)}${'paradigm'.padEnd(13)}${'stage'.padEnd(17)}samples/s  x joint`);
  for (const choice of choices) {
    try {
      await selectBackend(choice);
    } catch (e) {
      console.log(`${choice.padEnd(12)}not available: ${(e as Error).message}`);
      continue;
    }
    let joint = Number.NaN;
    for (const paradigm of paradigms) {
      const r = await throughput(benchConfig(paradigm));
      if (paradigm === 'joint') joint = r.train;
      for (const [stage, sps] of Object.entries(r)) console.log(`${choice.padEnd(12)}${paradigm.padEnd(13)}${stage.padEnd(17)}${fmt(sps)}  ${(joint / sps).toFixed(1).padStart(7)}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
