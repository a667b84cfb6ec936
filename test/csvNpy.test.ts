// The same data through the csv and the npy source gives the same run; every paradigm trains
// end to end from a CSV; a trained run evaluates new data of the same layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFromObject } from '../src/config/load';
import { generateSynthetic } from '../src/data/synthetic';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

const dir = tmpDir('csvnpy');
const runsDir = path.join(dir, 'runs');
const synth = configFromObject({ data: { source: 'synthetic', samples: 6000, classes: 4, mix: { R: 0.4, U1: 0.2, U2: 0.2, S: 0.2 }, modalities: [{ name: 'a', dim: 48, noise: 1 }, { name: 'b', dim: 32, noise: 1 }] } }).config.data;
if (synth.source !== 'synthetic') throw new Error('synthetic');
const d = generateSynthetic(synth, 11);
const names = ['cat', 'dog', 'fox', 'owl'];
const splitName = ['train', 'val', 'test'];

// CSV: id, label (as strings), split, a_0..a_47, b_0..b_31
const header = ['id', 'label', 'split', ...Array.from({ length: 48 }, (_, k) => `a_${k}`), ...Array.from({ length: 32 }, (_, k) => `b_${k}`)];
const lines = [header.join(',')];
for (let i = 0; i < 6000; i++) {
  const a = Array.from(d.modalities[0].values.subarray(i * 48, i * 48 + 48), String);
  const b = Array.from(d.modalities[1].values.subarray(i * 32, i * 32 + 32), String);
  lines.push([`s${i}`, names[d.labels[i]], splitName[d.split[i]], ...a, ...b].join(','));
}
fs.writeFileSync(path.join(dir, 'data.csv'), lines.join('\n') + '\n');
writeNpy(path.join(dir, 'a.npy'), d.modalities[0].values, [6000, 48]);
writeNpy(path.join(dir, 'b.npy'), d.modalities[1].values, [6000, 32]);
writeNpy(path.join(dir, 'labels.npy'), Int32Array.from(d.labels), [6000]);
writeNpy(path.join(dir, 'split.npy'), Int32Array.from(d.split), [6000]);

const common = { seed: 3, model: { backbone: { hidden: [64], out: 32 } }, train: { epochs: 2, early_stop: { patience: 0 } } };
const csvCfg = writeConfig(dir, { name: 'csv', ...common, data: { source: 'csv', path: 'data.csv', id: 'id', label: 'label', split_column: 'split', modalities: [{ name: 'a', columns: 'a_*' }, { name: 'b', columns: 'b_*' }] } }, 'csv.yaml');
const npyCfg = writeConfig(dir, { name: 'npy', ...common, data: { source: 'npy', labels: 'labels.npy', split_file: 'split.npy', modalities: [{ name: 'a', path: 'a.npy' }, { name: 'b', path: 'b.npy' }] } }, 'npy.yaml');

const evalJson = (id: string, extra: string[] = []) => {
  const r = runCli(['eval', id, '--runs-dir', runsDir, '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

for (const paradigm of ['unimodal', 'joint', 'ensemble', 'dmil']) {
  test(`${paradigm} trains end to end from a 6000-row CSV`, () => {
    const dmil = paradigm === 'dmil' ? ['--set', 'model.dmil.latent=8'] : [];
    const r = runCli(['train', csvCfg, '--runs-dir', runsDir, '--set', `model.paradigm=${paradigm}`, ...dmil, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const report = evalJson(lastLine(r.stdout));
    assert.equal(report.samples, d.split.filter((s) => s === 2).length);
    assert.deepEqual(Object.keys(report.per_class), names, 'reports the labels as the data names them');
    assert.ok(report.accuracy > 0.4, `${paradigm}: accuracy ${report.accuracy}`);
  });
}

test('the csv and npy sources give the same data, hence the same accuracy (same split, same seed)', () => {
  const fromCsv = lastLine(runCli(['train', csvCfg, '--runs-dir', runsDir, '-q']).stdout);
  const fromNpy = lastLine(runCli(['train', npyCfg, '--runs-dir', runsDir, '-q']).stdout);
  const a = evalJson(fromCsv);
  const b = evalJson(fromNpy);
  assert.ok(Math.abs(a.accuracy - b.accuracy) <= 0.01, `csv ${a.accuracy} vs npy ${b.accuracy}`);
  assert.equal(a.accuracy, b.accuracy, 'identical float32 data and split train identically');
  const dataJson = JSON.parse(fs.readFileSync(path.join(runsDir, fromCsv, 'data.json'), 'utf8'));
  assert.deepEqual(dataJson.classNames, names, 'the class map is stored in the run');
  assert.equal(dataJson.standardisation[0].mean.length, 48);

  // New data with the same layout: here the test rows of the same file, then a file with an unknown label.
  const other = path.join(dir, 'other.csv');
  fs.writeFileSync(other, [lines[0], ...lines.slice(1).filter((l) => l.split(',')[2] === 'test')].join('\n') + '\n');
  const onOther = evalJson(fromCsv, ['--set', `data.path=${other}`]);
  assert.equal(onOther.split, 'all');
  assert.equal(onOther.samples, a.samples);
  assert.equal(onOther.accuracy, a.accuracy, 'the run\'s standardisation and class map are applied to new data');
  assert.equal(JSON.parse(fs.readFileSync(path.join(runsDir, fromCsv, 'eval', 'test.json'), 'utf8')).accuracy, a.accuracy, 'eval/test.json is untouched');

  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, [lines[0], lines[1].replace(/^s0,[a-z]+,/, 's0,yak,')].join('\n') + '\n');
  const r = runCli(['eval', fromCsv, '--runs-dir', runsDir, '--set', `data.path=${bad}`]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /sample s0: label "yak" is not one of the run's classes \(known classes: cat, dog, fox, owl\)/);
});
