// End-to-end: the real `dmil` executable on tiny configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse } from 'yaml';
import { dmilBin, lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('train -> eval -> runs on a tiny joint config', () => {
  const dir = tmpDir('cli');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const train = runCli(['train', cfg, '--runs-dir', runsDir]);
  assert.equal(train.status, 0, train.stderr);
  const id = lastLine(train.stdout);
  assert.equal(train.stdout, `${id}\n`, 'stdout carries only the run id');
  assert.match(train.stderr, /backend wasm from @tensorflow\/tfjs-backend-wasm/);
  assert.match(train.stderr, /done: test accuracy/);

  const runDir = path.join(runsDir, id);
  for (const f of ['config.yaml', 'meta.json', 'log.txt', 'metrics.csv', 'data.json', 'checkpoints/train/model.json', 'checkpoints/train/weights.bin', 'eval/test.json', 'eval/val.json']) {
    assert.ok(fs.existsSync(path.join(runDir, f)), `missing ${f}`);
  }
  const meta = JSON.parse(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8'));
  assert.equal(meta.status, 'done');
  assert.equal(meta.backend.name, 'wasm');
  assert.ok(meta.backend.skipped.length >= 2, 'native backends are reported as skipped here');
  const resolved = parse(fs.readFileSync(path.join(runDir, 'config.yaml'), 'utf8'));
  assert.equal(resolved.train.optimizer.beta1, 0.9, 'the saved config has the defaults filled in');
  assert.doesNotMatch(fs.readFileSync(path.join(runDir, 'log.txt'), 'utf8'), /\r|\u001b\[/, 'log.txt has no progress-bar noise');

  const evalJson = runCli(['eval', id, '--runs-dir', runsDir, '--json', '--backend', 'wasm']);
  assert.equal(evalJson.status, 0, evalJson.stderr);
  const report = JSON.parse(evalJson.stdout);
  for (const key of ['accuracy', 'macro_f1', 'per_class', 'per_type', 'synergy_indicator']) assert.ok(key in report, key);
  assert.deepEqual(Object.keys(report.per_type), ['R', 'U1', 'U2', 'S']);
  assert.equal(report.synergy_indicator, null, 'joint has no unimodal predictions');
  const saved = JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'test.json'), 'utf8'));
  assert.equal(report.accuracy, saved.accuracy, 'eval reproduces the accuracy recorded at the end of training');

  const table = runCli(['eval', id.slice(0, -2), '--runs-dir', runsDir, '--split', 'val']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^accuracy \[95% interval\]\s+\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]$/m);
  assert.match(table.stdout, /val split/);

  const runs = runCli(['runs', '--runs-dir', runsDir, '--json']);
  const list = JSON.parse(runs.stdout);
  assert.equal(list.length, 1);
  assert.equal(list[0].id, id);
  assert.equal(list[0].status, 'done');
  assert.equal(list[0].test_accuracy, saved.accuracy);
  assert.match(runCli(['runs', '--runs-dir', runsDir]).stdout, new RegExp(`^${id}\\s+done\\s+joint\\s+synthetic`, 'm'));

  const again = runCli(['train', '--resume', id, '--runs-dir', runsDir]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already done/);
});

test('ensemble and unimodal runs; the ensemble reports a synergy indicator and unimodal accuracies', () => {
  const dir = tmpDir('cli-paradigms');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const ens = runCli(['train', cfg, '--runs-dir', runsDir, '--set', 'model.paradigm=ensemble', '--quiet']);
  assert.equal(ens.status, 0, ens.stderr);
  assert.match(ens.stderr, /^done: test accuracy \d\.\d{4} macro-F1 \d\.\d{4}.*; val accuracy \d\.\d{4}\n$/, '--quiet prints only the one-line result on stderr');
  const report = JSON.parse(runCli(['eval', lastLine(ens.stdout), '--runs-dir', runsDir, '--json']).stdout);
  assert.equal(typeof report.synergy_indicator, 'number');
  assert.deepEqual(Object.keys(report.unimodal_accuracy), ['a', 'b']);
  const ck = fs.readdirSync(path.join(runsDir, lastLine(ens.stdout), 'checkpoints')).sort();
  assert.deepEqual(ck, ['member-a', 'member-b']);

  const uni = runCli(['train', cfg, '--runs-dir', runsDir, '--set', 'model.paradigm=unimodal', '--set', 'model.modality=b', '--set', 'model.backbones={b: {hidden: [4]}}', '-q']);
  assert.equal(uni.status, 0, uni.stderr);
  const weights = JSON.parse(fs.readFileSync(path.join(runsDir, lastLine(uni.stdout), 'checkpoints', 'train', 'model.json'), 'utf8'));
  const names = weights.weightsManifest[0].weights.map((w: { name: string; shape: number[] }) => `${w.name}:${w.shape}`);
  assert.ok(names.includes('unimodal.b.encoder.0.w:5,4'), names.join(' '));
});

test('help is available on every command', () => {
  for (const cmd of [[], ['train'], ['eval'], ['runs'], ['schema']]) {
    const r = runCli([...cmd, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: dmil/);
  }
});

test('a diverging run fails with one line, is marked failed, and eval refuses it', () => {
  const dir = tmpDir('cli-diverge');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const r = runCli(['train', cfg, '--runs-dir', runsDir, '--set', 'train.optimizer.lr=1e12', '-q']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^dmil: stage train: the training loss became (NaN|Infinity) in epoch \d+: training diverged \(lower the learning rate/);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  const [id] = fs.readdirSync(runsDir);
  assert.equal(JSON.parse(fs.readFileSync(path.join(runsDir, id, 'meta.json'), 'utf8')).status, 'failed');
  const ev = runCli(['eval', id, '--runs-dir', runsDir]);
  assert.equal(ev.status, 2);
  assert.match(ev.stderr, /run is failed, not done/);
});

test('the shipped csv and npy examples train as they are and agree', () => {
  const runsDir = path.join(tmpDir('examples'), 'runs');
  const acc = ['example-csv', 'example-npy'].map((c) => {
    const r = runCli(['train', path.join('configs', `${c}.yaml`), '--runs-dir', runsDir, '--set', 'train.epochs=2', '-q']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(runCli(['eval', lastLine(r.stdout), '--runs-dir', runsDir, '--json']).stdout).accuracy;
  });
  assert.equal(acc[0], acc[1]);
});

test('a run killed without warning shows as interrupted, resumes, and ends identical to an uninterrupted run; a live one cannot be resumed twice', async () => {
  const dir = tmpDir('cli-kill');
  const runsDir = path.join(dir, 'runs');
  // A resume checkpoint at most every second: the kill loses the epochs after it, which resume replays.
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 100, batch_size: 8, early_stop: { patience: 0 }, checkpoint_seconds: 1 } }));
  const child = spawn(process.execPath, [dmilBin, 'train', cfg, '--runs-dir', runsDir, '-q'], { stdio: 'ignore' });
  const metaFile = () => {
    const ids = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
    return ids.length ? path.join(runsDir, ids[0], 'meta.json') : '';
  };
  // Wait until at least one epoch is checkpointed.
  for (let i = 0; i < 200 && !(metaFile() && fs.existsSync(path.join(path.dirname(metaFile()), 'checkpoints', 'resume', 'model.json'))); i++) await new Promise((r) => setTimeout(r, 100));
  const id = path.basename(path.dirname(metaFile()));
  const live = runCli(['train', '--resume', id, '--runs-dir', runsDir]);
  assert.equal(live.status, 2);
  assert.match(live.stderr, /run is in use by process \d+ on .+ \(dmil train, since/);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const killedMeta = JSON.parse(fs.readFileSync(metaFile(), 'utf8'));
  assert.equal(killedMeta.status, 'running', 'SIGKILL leaves no chance to update meta.json');
  assert.notEqual(killedMeta.stages_done.length, 1, 'killed before the end');
  assert.equal(JSON.parse(runCli(['runs', '--runs-dir', runsDir, '--json']).stdout)[0].status, 'interrupted');
  const refused = runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q', '--set', 'x=1']);
  assert.equal(refused.status, 2, '--set is refused on resume');

  const resumed = runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const straight = lastLine(runCli(['train', cfg, '--runs-dir', path.join(dir, 'straight'), '-q']).stdout);
  const rows = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
  assert.deepEqual(rows(path.join(runsDir, id, 'metrics.csv')), rows(path.join(dir, 'straight', straight, 'metrics.csv')), 'same rows, timing aside');
  const test = (d: string) => ({ ...JSON.parse(fs.readFileSync(path.join(d, 'eval', 'test.json'), 'utf8')), run: '' });
  assert.deepEqual(test(path.join(runsDir, id)), test(path.join(dir, 'straight', straight)));
});

test('eval --reference: the synergy indicator of a joint model from an ensemble\'s unimodal predictions on the same samples, as recomputed from decompose', () => {
  const dir = tmpDir('reference');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const train = (paradigm: string, seed = 1) => lastLine(runCli(['train', cfg, '--set', `model.paradigm=${paradigm}`, '--set', `seed=${seed}`, '--runs-dir', runsDir, '-q']).stdout);
  const [joint, ensemble, other] = [train('joint'), train('ensemble'), train('ensemble', 2)];
  const r = runCli(['eval', joint, '--reference', ensemble, '--runs-dir', runsDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { synergy_indicator: number; synergy_reference: string };
  assert.equal(report.synergy_reference, ensemble);
  const rows = (id: string) => {
    const out = path.join(dir, `${id}.csv`);
    assert.equal(runCli(['decompose', id, '--runs-dir', runsDir, '--out', out]).status, 0);
    return parseCsv(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  };
  const [j, e] = [rows(joint), rows(ensemble)];
  const expected = j.filter((row, i) => row.prediction === row.label && e[i].pred_a !== row.label && e[i].pred_b !== row.label).length / j.length;
  assert.equal(report.synergy_indicator, expected);
  assert.equal(JSON.parse(runCli(['eval', joint, '--runs-dir', runsDir, '--json']).stdout).synergy_indicator, null, 'without a reference joint has none');
  const otherSeed = runCli(['eval', joint, '--reference', other, '--runs-dir', runsDir]);
  assert.equal(otherSeed.status, 2);
  assert.match(otherSeed.stderr, /--reference \S+: the reference run was trained on other samples or another split/);
  const noHeads = runCli(['eval', ensemble, '--reference', joint, '--runs-dir', runsDir]);
  assert.equal(noHeads.status, 2);
  assert.match(noHeads.stderr, /--reference: run \S+ \(joint\) has no unimodal predictors/);
});
