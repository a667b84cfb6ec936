// dmil sweep: a table of runs over seeds and settings on a local job pool (resumable). A sweep
// killed midway: integration/sweepKill.test.ts; the Slurm executor on a real cluster:
// integration/slurm.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastLine, runCli, sweepStatusRows as statusRows, tinyConfig, tmpDir, writeConfig } from './helpers';

const axes = ['--axis', 'seed=1,2', '--axis', 'model.paradigm=joint,ensemble'];


test('a local sweep trains every cell; the same command again retrains nothing; compare reads the sweep', () => {
  const dir = tmpDir('sweep-local');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const first = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(first.status, 0, first.stderr);
  const id = lastLine(first.stdout);
  assert.match(first.stderr, /sweep .*: 4 of 4 cells done, 0 failed/);
  const rows = statusRows(id, runsDir);
  assert.deepEqual(rows.map((r) => [r[1], r[2], r[4]]), [['seed=1 model.paradigm=joint', 'done', '1'], ['seed=1 model.paradigm=ensemble', 'done', '1'], ['seed=2 model.paradigm=joint', 'done', '1'], ['seed=2 model.paradigm=ensemble', 'done', '1']]);
  const again = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(lastLine(again.stdout), id, 'the same command finds the same sweep');
  assert.deepEqual(statusRows(id, runsDir), rows, 'nothing retrained');
  assert.equal(fs.readdirSync(runsDir).filter((d) => d !== 'sweeps').length, 4);
  const cmp = runCli(['compare', id, '--runs-dir', runsDir, '--baseline', 'model.paradigm=joint']);
  assert.equal(cmp.status, 0, cmp.stderr);
  assert.match(cmp.stdout, /model\.paradigm=joint +2 /);
  assert.match(cmp.stdout, /paired differences against "model\.paradigm=joint"/);
});

test('a sweep file: axes and named variants crossed, --set over the base, errors at file:line; dmil runs shows each run\'s cell and filters, sorts and removes', () => {
  const dir = tmpDir('sweep-file');
  const runsDir = path.join(dir, 'runs');
  writeConfig(dir, tinyConfig());
  const file = path.join(dir, 'ablation.yaml');
  fs.writeFileSync(file, 'config: config.yaml\naxes:\n  seed: [1, 2]\nvariants:\n  base: []\n  wide: ["model.backbone.hidden=[32]"]\nretries: 0\n');
  const r = runCli(['sweep', file, '--set', 'train.epochs=2', '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(r.status, 0, r.stderr);
  const id = lastLine(r.stdout);
  const rows = statusRows(id, runsDir);
  assert.deepEqual(rows.map((x) => x[1]), ['seed=1 base', 'seed=1 wide', 'seed=2 base', 'seed=2 wide']);
  const listed = JSON.parse(runCli(['runs', '--runs-dir', runsDir, '--json', '--filter', 'overrides=wide', '--sort', 'seed']).stdout);
  assert.deepEqual(listed.map((x: { overrides: string; sweep: string }) => [x.overrides, x.sweep]), [['seed=2 wide', id], ['seed=1 wide', id]]);
  assert.ok(listed.every((x: { best_epochs: Record<string, number> }) => typeof x.best_epochs.train === 'number'));
  const csv = runCli(['compare', id, '--runs-dir', runsDir, '--csv']).stdout.trim().split('\n');
  assert.equal(csv.length, 3, 'a header and one row per setting');
  assert.match(csv[0], /^setting,seeds,accuracy_mean,accuracy_std,/);
  // A run a live process holds is never removed.
  const held = path.join(runsDir, listed[1].id, 'lock');
  fs.writeFileSync(held, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command: 'dmil train' }));
  const refused = runCli(['runs', 'rm', listed[1].id, '--runs-dir', runsDir]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, new RegExp(`^dmil: ${listed[1].id}: run is in use by process ${process.pid} on .+ \\(dmil train\\) \\(stop it first; a run being trained is never removed\\)`));
  assert.ok(fs.existsSync(path.join(runsDir, listed[1].id, 'meta.json')));
  fs.rmSync(held);
  const gone = runCli(['runs', 'rm', listed[0].id, '--runs-dir', runsDir]);
  assert.equal(gone.status, 0, gone.stderr);
  assert.ok(!fs.existsSync(path.join(runsDir, listed[0].id)));

  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'config: config.yaml\naxes:\n  seed: [1, 2]\nretry: 3\n');
  const e = runCli(['sweep', bad, '--runs-dir', runsDir]);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /^dmil: .*bad\.yaml:4:1: retry: unknown key "retry"/);
  const badCell = runCli(['sweep', path.join(dir, 'config.yaml'), '--axis', 'train.epochs=2,zero', '--runs-dir', runsDir]);
  assert.equal(badCell.status, 2);
  assert.match(badCell.stderr, /^dmil: cell 1 \(train\.epochs=zero\): --set train\.epochs=zero: train\.epochs: expected a number, got "zero" \(every cell must be a valid config\)\n$/);
});
