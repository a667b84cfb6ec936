// DMIL through the real CLI: a tiny run trained, evaluated and decomposed, with eval and
// decompose agreeing on every number they share; decompose's columns for a non-DMIL run.
// (In-process DMIL tests are in dmil.test.ts; the mutation tool runs those, not these.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('end to end: train a tiny dmil run, eval reports components and gates, decompose agrees with eval', () => {
  const dir = tmpDir('dmil-cli');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 }, dmil: { latent: 4, adversary: 'prior', stages: [{ name: 'decompose-intra' }, { name: 'decompose-cross', epochs: 2 }, { name: 'finetune', lr: 0.0002 }] } } }));
  const train = runCli(['train', cfg, '--runs-dir', runsDir, '-q']);
  assert.equal(train.status, 0, train.stderr);
  const id = lastLine(train.stdout);
  const metrics = fs.readFileSync(path.join(runsDir, id, 'metrics.csv'), 'utf8');
  for (const col of ['ce_M1', 'rec_1', 'kl_1', 'warm', 'probe', 'adv', 'ce_R', 'ce_U1', 'ce_S', 'align', 'kl_U', 'mix', 'lb']) assert.match(metrics.split('\n')[0], new RegExp(`\\b${col}\\b`), col);
  assert.equal(metrics.split('\n').filter((l) => l.startsWith('decompose-cross,')).length, 5, 'the stage entry sets its own epochs (epoch 0, then train and val of 2 epochs)');
  assert.deepEqual(fs.readdirSync(path.join(runsDir, id, 'checkpoints')).sort(), ['decompose-cross', 'decompose-intra', 'finetune']);
  const finetuneLr = metrics.split('\n').find((l) => l.startsWith('finetune,1,'))!;
  assert.match(finetuneLr, /,0\.0002,/);

  const report = JSON.parse(runCli(['eval', id, '--runs-dir', runsDir, '--json']).stdout);
  assert.deepEqual(Object.keys(report.component_accuracy), ['R', 'U_a', 'U_b', 'S'], 'U1 and U2 are named after their modalities');
  assert.deepEqual(Object.keys(report.gate_by_type), ['R', 'U1', 'U2', 'S']);
  assert.equal(typeof report.synergy_indicator, 'number');
  const g = report.gate_by_type.S;
  assert.ok(Math.abs(g.R + g.U_a + g.U_b + g.S - 1) < 1e-5);

  const dec = runCli(['decompose', id, '--runs-dir', runsDir]);
  assert.equal(dec.status, 0, dec.stderr);
  assert.match(dec.stdout, /mean gate weights/);
  const rows = parse(fs.readFileSync(path.join(runsDir, id, 'decompose', 'test.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const part = (n: string) => [`p_${n}`, `pred_${n}`, `evidence_${n}`];
  assert.deepEqual(Object.keys(rows[0]), ['id', 'label', 'prediction', 'p', 'evidence', 'gate_R', 'gate_U_a', 'gate_U_b', 'gate_S', ...['a', 'b', 'R', 'U_a', 'U_b', 'S'].flatMap(part), 'type']);
  assert.equal(rows.length, report.samples);
  const recomputed = rows.filter((r) => r.label === r.prediction).length / rows.length;
  assert.equal(recomputed, report.accuracy, 'accuracy recomputed from decompose equals eval');
  for (const r of rows) assert.ok(Math.abs(Number(r.gate_R) + Number(r.gate_U_a) + Number(r.gate_U_b) + Number(r.gate_S) - 1) < 1e-5);
  const sTypes = rows.filter((r) => r.type === 'S');
  const compAcc = rows.filter((r) => r.pred_S === r.label).length / rows.length;
  assert.ok(Math.abs(compAcc - report.component_accuracy.S) < 1e-12);
  assert.ok(sTypes.length > 0);
  // Evidence is log p_c(y|x) - log p_train(y): check it against p_c for one row.
  const prior = Math.exp(Math.log(Number(rows[0].p_R)) - Number(rows[0].evidence_R));
  assert.ok(prior > 0.2 && prior < 0.5, `implied prior ${prior}`);

  const jsonl = runCli(['decompose', id, '--runs-dir', runsDir, '--split', 'val', '--format', 'jsonl', '--out', path.join(dir, 'val.jsonl')]);
  assert.equal(jsonl.status, 0, jsonl.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'val.jsonl'), 'utf8').trim().split('\n').length, JSON.parse(runCli(['eval', id, '--runs-dir', runsDir, '--split', 'val', '--json']).stdout).samples);
});

test('decompose on a joint run writes the columns that exist for it', () => {
  const dir = tmpDir('decompose-joint');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const id = lastLine(runCli(['train', cfg, '--runs-dir', runsDir, '--set', 'model.paradigm=ensemble', '-q']).stdout);
  const r = runCli(['decompose', id, '--runs-dir', runsDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no gate/);
  const header = fs.readFileSync(path.join(runsDir, id, 'decompose', 'test.csv'), 'utf8').split('\n')[0];
  assert.equal(header, 'id,label,prediction,p,evidence,p_a,pred_a,evidence_a,p_b,pred_b,evidence_b,type');
});
