// `node dist/scripts/gpuCheck.js [--backend webgpu] [--reference wasm]` (run by scripts/gpu-check.sh):
// every paradigm trained on configs/mix.yaml (3,000 samples, 3 epochs a stage) twice on the backend
// and once on the reference, through the CLI; one markdown table: whether same-seed reruns are
// identical, the largest difference of any metrics.csv value from the reference's, test accuracy,
// and epoch throughput (training samples over the epoch's seconds, validation included).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const backend = opt('--backend', 'webgpu');
const reference = opt('--reference', 'wasm');
const PARADIGMS = ['unimodal', 'joint', 'ensemble', 'late-fusion', 'dmil'];
const SETS = ['data.samples=3000', 'train.epochs=3', 'train.early_stop.patience=0'];

interface Trained { metrics: number[][]; header: string[]; testAccuracy: number; samplesPerSecond: number }

function train(paradigm: string, on: string, runsDir: string): Trained {
  const sets = [...SETS, `model.paradigm=${paradigm}`, ...(paradigm === 'unimodal' ? ['model.modality=a'] : [])];
  const out = execFileSync(process.execPath, [path.join(root, 'bin', 'dmil'), 'train', path.join(root, 'configs', 'mix.yaml'), '--backend', on, '--runs-dir', runsDir, '-q', ...sets.flatMap((s) => ['--set', s])], { cwd: root, encoding: 'utf8' });
  const dir = path.join(runsDir, out.trim().split('\n').pop()!);
  const lines = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const seconds = header.indexOf('epoch_seconds');
  const split = header.indexOf('split');
  const trainRows = rows.filter((r) => r[split] === 'train');
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'data.json'), 'utf8')) as { splitSizes: { train: number } };
  const test = JSON.parse(fs.readFileSync(path.join(dir, 'eval', 'test.json'), 'utf8')) as { accuracy: number };
  return {
    header,
    metrics: rows.map((r) => r.map((v, i) => (i === seconds || v === '' ? Number.NaN : Number(v)))),
    testAccuracy: test.accuracy,
    samplesPerSecond: info.splitSizes.train / (trainRows.reduce((a, r) => a + Number(r[seconds]), 0) / trainRows.length),
  };
}

/** The largest |a - b| over every numeric cell both have (NaN: the tables have different shapes). */
function maxDifference(a: Trained, b: Trained): number {
  if (a.metrics.length !== b.metrics.length) return Number.NaN;
  let max = 0;
  a.metrics.forEach((row, i) => row.forEach((v, j) => {
    const w = b.metrics[i][j];
    if (Number.isFinite(v) && Number.isFinite(w)) max = Math.max(max, Math.abs(v - w));
  }));
  return max;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-gpu-check-'));
const rows: string[] = [];
for (const paradigm of PARADIGMS) {
  process.stderr.write(`${paradigm} ...\n`);
  const [first, second] = [train(paradigm, backend, path.join(tmp, `${paradigm}-1`)), train(paradigm, backend, path.join(tmp, `${paradigm}-2`))];
  const ref = train(paradigm, reference, path.join(tmp, `${paradigm}-ref`));
  const rerun = maxDifference(first, second);
  rows.push(`| ${paradigm} | ${rerun === 0 ? 'yes' : `no (max diff ${rerun.toExponential(1)})`} | ${maxDifference(first, ref).toExponential(1)} | ${first.testAccuracy.toFixed(4)} / ${ref.testAccuracy.toFixed(4)} | ${first.samplesPerSecond.toFixed(0)} / ${ref.samplesPerSecond.toFixed(0)} |`);
}
process.stdout.write([
  `configs/mix.yaml, ${SETS.join(', ')}; ${backend} against ${reference}`,
  '',
  `| paradigm | same-seed reruns identical on ${backend} | max diff of any metrics.csv value vs ${reference} | test accuracy ${backend} / ${reference} | samples/s ${backend} / ${reference} |`,
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n'));
fs.rmSync(tmp, { recursive: true, force: true });
