// Loading the field's benchmark files at scale: a pickle and an HDF5 file of CMU-MOSEI's shapes
// (50 steps of 35 / 74 / 300 float32 features), about 1 GiB each and the same samples, written by
// scripts/fixtures/benchmarks.py. Each is loaded the way `dmil train` loads it (read, labels
// through MOSI's binary transform, standardised) in a process of its own; the peak resident set
// size is compared with the file's size (the bound: 2.5x).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFixtures } from '../scripts/fixtures/python';

const MODALITIES = [{ name: 'vision' }, { name: 'audio' }, { name: 'text' }];
const BOUND = 2.5;

function load(data: Record<string, unknown>): { seconds: number; samples: number; peakRssMiB: number; baselineRssMiB: number } {
  return JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'load.js'), JSON.stringify({ data })], { encoding: 'utf8' }));
}

export function benchmarkFiles(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dmil-bench-files-'));
  try {
    const t0 = performance.now();
    writeFixtures(dir, ['big']);
    const pkl = path.join(dir, 'big', 'mosei.pkl');
    const h5 = path.join(dir, 'big', 'mosei.h5');
    console.log(`\nbenchmark files of MOSEI's shapes (written by scripts/fixtures/benchmarks.py in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    // The HDF5 twin stacks the pickle's splits: rows [0, train), [train, train + valid), the rest.
    const split = JSON.parse(fs.readFileSync(path.join(dir, 'big', 'sizes.json'), 'utf8')) as { train: number; valid: number; test: number };
    const sizes = [split.train, split.valid, split.test];
    const transform = { type: 'binary', threshold: 0, drop_equal: true };
    const cases: [string, string, Record<string, unknown>][] = [
      ['pickle', pkl, { source: 'pickle', path: pkl, ids: 'id', modalities: MODALITIES, label_transform: transform, nonfinite: 'zero' }],
      ['HDF5', h5, { source: 'hdf5', path: h5, labels: 'labels', modalities: MODALITIES, label_transform: transform, nonfinite: 'zero', splits: { train: [0, sizes[0]], val: [sizes[0], sizes[0] + sizes[1]], test: [sizes[0] + sizes[1], sizes[0] + sizes[1] + sizes[2]] } }],
    ];
    for (const [name, file, data] of cases) {
      const mib = fs.statSync(file).size / 2 ** 20;
      const r = load(data);
      const ratio = r.peakRssMiB / mib;
      console.log(`${name.padEnd(7)} ${mib.toFixed(0)} MiB, ${r.samples} samples kept: ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB = ${ratio.toFixed(2)}x the file (${r.baselineRssMiB.toFixed(0)} MiB before loading; bound ${BOUND}x: ${ratio <= BOUND ? 'within' : 'EXCEEDED'})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
