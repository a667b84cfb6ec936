// A run is pinned to its data: the fingerprint of every input file and the split of every sample
// are stored; eval and decompose on the run's own data refuse a changed file with one line that
// names it, and new data is evaluated only on purpose (--set data...), with its fingerprint kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

const dir = tmpDir('pinning');
const runsDir = path.join(dir, 'runs');
const csv = path.join(dir, 'data.csv');
const rows = Array.from({ length: 150 }, (_, i) => `s${i},${['x', 'y', 'z'][i % 3]},${((i * 7) % 13) / 10},${((i * 5) % 11) / 10},${i % 3}`);
const original = ['id,label,f1,f2,g1', ...rows].join('\n') + '\n';
fs.writeFileSync(csv, original);
const cfg = writeConfig(dir, {
  ...tinyConfig(),
  data: { source: 'csv', path: 'data.csv', id: 'id', modalities: [{ name: 'a', columns: 'f*' }, { name: 'b', columns: 'g*' }] },
});
const train = runCli(['train', cfg, '--runs-dir', runsDir, '-q']);
assert.equal(train.status, 0, train.stderr);
const id = lastLine(train.stdout);
const runDir = path.join(runsDir, id);
const listing = () => ['eval', 'decompose'].flatMap((d) => (fs.existsSync(path.join(runDir, d)) ? fs.readdirSync(path.join(runDir, d)).map((f) => `${d}/${f}`) : [])).sort();

test('a run stores its data fingerprint, every sample\'s split and how each stage chose its epoch', () => {
  const info = JSON.parse(fs.readFileSync(path.join(runDir, 'data.json'), 'utf8'));
  assert.equal(info.fingerprint.files.length, 1);
  assert.equal(info.fingerprint.files[0].key, 'data.path');
  assert.equal(info.fingerprint.files[0].size, Buffer.byteLength(original));
  assert.match(info.fingerprint.files[0].sha256, /^[0-9a-f]{64}$/);
  const split = parse(fs.readFileSync(path.join(runDir, 'split.csv'), 'utf8'), { columns: true }) as { id: string; split: string }[];
  assert.equal(split.length, 150);
  assert.deepEqual(split.slice(0, 2).map((r) => r.id), ['s0', 's1']);
  assert.equal(split.filter((r) => r.split === 'test').length, info.splitSizes.test);
  const meta = JSON.parse(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8'));
  assert.equal(typeof meta.git_dirty, 'boolean');
  const sel = meta.selection.train;
  assert.equal(sel.metric, 'val_ce');
  assert.ok(sel.best_epoch >= 0 && sel.best_epoch <= 3);
  assert.ok(sel.best.val_ce <= sel.incoming.val_ce, 'the kept model is at least as good as the incoming one on val_ce');
  assert.match(fs.readFileSync(path.join(runDir, 'log.txt'), 'utf8'), /train: kept (epoch \d of 3|the incoming model)/);
});

const changes: [string, (s: string) => string, RegExp][] = [
  ['a changed value (same size)', (s) => s.replace('s3,x,0.8,', 's3,x,0.9,'), /changed content since the run was trained \(same size, different SHA-256\)/],
  ['a truncated file', (s) => `${s.split('\n').slice(0, 120).join('\n')}\n`, /changed size since the run was trained \(\d+ -> \d+ bytes\)/],
  ['reordered rows', (s) => { const l = s.split('\n'); [l[5], l[9]] = [l[9], l[5]]; return l.join('\n'); }, /changed content since the run was trained/],
];

for (const [name, change, expect] of changes) {
  for (const command of ['eval', 'decompose']) {
    test(`${command} on the run's own data stops on ${name}, naming the file`, () => {
      const before = listing();
      const changed = change(original);
      assert.notEqual(changed, original);
      fs.writeFileSync(csv, changed);
      try {
        const r = runCli([command, id, '--runs-dir', runsDir]);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.ok(r.stderr.includes(`dmil: ${csv}: `), r.stderr);
        assert.match(r.stderr, expect);
        assert.match(r.stderr, /evaluate it as new data on purpose with --set data\.path=/);
        assert.deepEqual(listing(), before, 'nothing written');
      } finally {
        fs.writeFileSync(csv, original);
      }
    });
  }
}

test('new data on purpose: every row evaluated, the data recorded in the eval JSON, one result per content whatever the path', () => {
  const other = path.join(dir, 'other.csv');
  fs.writeFileSync(other, `${original.split('\n').slice(0, 100).join('\n')}\n`);
  const r = runCli(['eval', id, '--runs-dir', runsDir, '--json', '--set', `data.path=${other}`]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.split, 'all');
  assert.equal(report.samples, 99);
  assert.equal(report.data.files[0].path, other);
  assert.equal(report.data.files[0].size, fs.statSync(other).size);
  assert.match(report.data.content_sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(report.data.sets, [`data.path=${other}`]);
  const file = `all-${report.data.content_sha256.slice(0, 12)}.json`;
  assert.ok(fs.existsSync(path.join(runDir, 'eval', file)));
  const copy = path.join(dir, 'copy-of-other.csv');
  fs.copyFileSync(other, copy);
  const before = listing();
  assert.equal(runCli(['eval', id, '--runs-dir', runsDir, '--set', `data.path=${copy}`]).status, 0);
  assert.deepEqual(listing(), before, 'the same content by another path shares the result file');
  const dec = runCli(['decompose', id, '--runs-dir', runsDir, '--set', `data.path=${other}`]);
  assert.equal(dec.status, 0, dec.stderr);
  const scores = path.join(runDir, 'decompose', file.replace('.json', '.csv'));
  assert.ok(fs.existsSync(scores));
  const scored = JSON.parse(fs.readFileSync(`${scores}.data.json`, 'utf8'));
  assert.equal(scored.samples, 99);
  assert.equal(scored.data.files[0].path, other, 'decompose records the data path it scored');
  assert.equal(scored.data.content_sha256, report.data.content_sha256, 'and its fingerprint');
  // The run's own evaluation is still its own, and still reproducible.
  assert.equal(runCli(['eval', id, '--runs-dir', runsDir]).status, 0);
});

test('reading a run changes only data keys', () => {
  const r = runCli(['eval', id, '--runs-dir', runsDir, '--set', 'model.paradigm=dmil']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^dmil: --set model\.paradigm=dmil: only data\.\* keys can be changed when reading a run/);
});
