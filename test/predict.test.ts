// dmil predict: a trained run's predictions on new data without labels, one row per sample, equal
// to what eval and decompose see on the same rows once labels are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { lastLine, repoRoot, runCli, tmpDir } from './helpers';

test('predict on an unlabelled CSV of a trained run\'s layout: one row per sample, probabilities summing to 1, gate weights; the same predictions as eval and decompose once labels are added', () => {
  const dir = tmpDir('predict');
  const runsDir = path.join(dir, 'runs');
  const trained = runCli(['train', path.join(repoRoot, 'configs', 'example-csv.yaml'), '--set', 'model.paradigm=dmil', '--set', 'train.epochs=3', '--runs-dir', runsDir, '-q']);
  assert.equal(trained.status, 0, trained.stderr);
  const id = lastLine(trained.stdout);

  const lines = fs.readFileSync(path.join(repoRoot, 'datasets', 'example.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const keep = header.map((h, i) => (h === 'label' || h === 'split' ? -1 : i)).filter((i) => i >= 0);
  const rows = lines.slice(1, 121);
  const unlabelled = path.join(dir, 'new.csv');
  fs.writeFileSync(unlabelled, [header, ...rows.map((r) => r.split(','))].map((cells) => keep.map((i) => cells[i]).join(',')).join('\n') + '\n');
  const labelled = path.join(dir, 'new-labelled.csv');
  fs.writeFileSync(labelled, [lines[0], ...rows].join('\n') + '\n');

  const out = path.join(dir, 'predictions.csv');
  const r = runCli(['predict', id, '--runs-dir', runsDir, '--set', `data.path=${unlabelled}`, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^wrote 120 predictions \(the data has no labels\) to \S+predictions\.csv \(the data: \S+predictions\.csv\.data\.json\)\n$/);
  const predicted = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.equal(predicted.length, 120, 'one row per sample');
  const classes = ['apple', 'banana', 'cherry'];
  assert.deepEqual(Object.keys(predicted[0]), ['id', 'prediction', ...classes.map((c) => `p_${c}`), 'gate_R', 'gate_U_m1', 'gate_U_m2', 'gate_S']);
  assert.deepEqual(predicted.map((p) => p.id), rows.map((row) => row.split(',')[0]), 'in the file\'s order, by id');
  for (const p of predicted) {
    const probs = classes.map((c) => Number(p[`p_${c}`]));
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'probabilities sum to 1');
    assert.equal(p.prediction, classes[probs.indexOf(Math.max(...probs))], 'the prediction is the most probable class');
    const gate = ['gate_R', 'gate_U_m1', 'gate_U_m2', 'gate_S'].map((g) => Number(p[g]));
    assert.ok(Math.abs(gate.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'gate weights sum to 1');
  }

  // With labels added: decompose's predictions are predict's, row by row; eval's accuracy is theirs.
  const dec = path.join(dir, 'decompose.csv');
  assert.equal(runCli(['decompose', id, '--runs-dir', runsDir, '--set', `data.path=${labelled}`, '--out', dec]).status, 0);
  const scored = parse(fs.readFileSync(dec, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.deepEqual(scored.map((s) => s.prediction), predicted.map((p) => p.prediction));
  assert.deepEqual(scored.map((s) => Number(s.gate_S).toFixed(6)), predicted.map((p) => Number(p.gate_S).toFixed(6)), 'the same gate weights');
  const ev = runCli(['eval', id, '--runs-dir', runsDir, '--set', `data.path=${labelled}`, '--json']);
  assert.equal(ev.status, 0, ev.stderr);
  const labels = rows.map((row) => row.split(',')[1]);
  const hits = predicted.filter((p, i) => p.prediction === labels[i]).length;
  assert.equal(JSON.parse(ev.stdout).accuracy, hits / 120);

  // decompose on unlabelled data: predictions and gate weights, no label columns; eval refuses it.
  const decU = runCli(['decompose', id, '--runs-dir', runsDir, '--set', `data.path=${unlabelled}`, '--out', '-']);
  assert.equal(decU.status, 0, decU.stderr);
  assert.equal(decU.stdout.split('\n')[0], 'id,prediction,gate_R,gate_U_m1,gate_U_m2,gate_S,pred_m1,pred_m2,pred_R,pred_U_m1,pred_U_m2,pred_S');
  assert.match(decU.stderr, /mean gate weights \(120 samples, no labels\)/);
  const refused = runCli(['eval', id, '--runs-dir', runsDir, '--set', `data.path=${unlabelled}`]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^dmil: data\.path: the data has no label column "label"; this command scores predictions against labels \(dmil predict \S+ --set data\.path=\S+ gives the predictions without them\)\n$/);
});
