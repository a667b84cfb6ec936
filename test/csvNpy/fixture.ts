// One synthetic data set written both as a CSV (labels as names, a split column) and as .npy
// files, with configs for each source; shared by the fast csv/npy parity test and the
// integration tier's 6000-row training tests.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFromObject } from '../../src/config/load';
import { generateSynthetic } from '../../src/data/synthetic';
import { runCli, tmpDir, writeConfig, writeNpy } from '../helpers';

export const classNames = ['cat', 'dog', 'fox', 'owl'];
const splitName = ['train', 'val', 'test'];

export function csvNpyFixture(rows: number) {
  const dir = tmpDir('csvnpy');
  const runsDir = path.join(dir, 'runs');
  const synth = configFromObject({ data: { source: 'synthetic', samples: rows, classes: 4, mix: { R: 0.4, U1: 0.2, U2: 0.2, S: 0.2 }, modalities: [{ name: 'a', dim: 48, noise: 1 }, { name: 'b', dim: 32, noise: 1 }] } }).config.data;
  if (synth.source !== 'synthetic') throw new Error('synthetic');
  const d = generateSynthetic(synth, 11);

  // CSV: id, label (as strings), split, a_0..a_47, b_0..b_31
  const header = ['id', 'label', 'split', ...Array.from({ length: 48 }, (_, k) => `a_${k}`), ...Array.from({ length: 32 }, (_, k) => `b_${k}`)];
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const a = Array.from(d.modalities[0].values.subarray(i * 48, i * 48 + 48), String);
    const b = Array.from(d.modalities[1].values.subarray(i * 32, i * 32 + 32), String);
    lines.push([`s${i}`, classNames[d.labels[i]], splitName[d.split[i]], ...a, ...b].join(','));
  }
  fs.writeFileSync(path.join(dir, 'data.csv'), lines.join('\n') + '\n');
  writeNpy(path.join(dir, 'a.npy'), d.modalities[0].values, [rows, 48]);
  writeNpy(path.join(dir, 'b.npy'), d.modalities[1].values, [rows, 32]);
  writeNpy(path.join(dir, 'labels.npy'), Int32Array.from(d.labels), [rows]);
  writeNpy(path.join(dir, 'split.npy'), Int32Array.from(d.split), [rows]);

  const common = { seed: 3, model: { backbone: { hidden: [64], out: 32 } }, train: { epochs: 2, early_stop: { patience: 0 } } };
  const csvCfg = writeConfig(dir, { name: 'csv', ...common, data: { source: 'csv', path: 'data.csv', id: 'id', label: 'label', split_column: 'split', modalities: [{ name: 'a', columns: 'a_*' }, { name: 'b', columns: 'b_*' }] } }, 'csv.yaml');
  const npyCfg = writeConfig(dir, { name: 'npy', ...common, data: { source: 'npy', labels: 'labels.npy', split_file: 'split.npy', modalities: [{ name: 'a', path: 'a.npy' }, { name: 'b', path: 'b.npy' }] } }, 'npy.yaml');

  const evalJson = (id: string, extra: string[] = []) => {
    const r = runCli(['eval', id, '--runs-dir', runsDir, '--json', ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  return { dir, runsDir, data: d, lines, csvCfg, npyCfg, evalJson };
}
