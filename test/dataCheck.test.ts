// `dmil data check` finds what was planted: identical rows and ids across splits, NaN and
// infinite values (and whether the config handles them), groups across splits, constant
// features; `data.nonfinite: zero` replaces non-finite values and records them in data.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

const N = 120;
const D = 4;

/** An npy config over N clean samples (3 classes, a split CSV with ids); `plant` edits the arrays and rows first. */
function npyData(label: string, plant: (x: Float32Array, rows: { id: string; split: string; speaker: string }[]) => void = () => undefined, extra: Record<string, unknown> = {}): { dir: string; cfg: string } {
  const dir = tmpDir(`datacheck-${label}`);
  const x = Float32Array.from({ length: N * D }, (_, i) => Math.sin(i * 1.37) * 3 + (i % D));
  const y = Int32Array.from({ length: N }, (_, i) => i % 3);
  const rows = Array.from({ length: N }, (_, i) => {
    const split = i % 10 < 7 ? 'train' : i % 10 < 9 ? 'val' : 'test';
    return { id: `s${i}`, split, speaker: `spk-${split}-${i % 3}` }; // each speaker in one split
  });
  plant(x, rows);
  writeNpy(path.join(dir, 'x.npy'), x, [N, D]);
  writeNpy(path.join(dir, 'x2.npy'), Float32Array.from({ length: N * 2 }, (_, i) => Math.cos(i)), [N, 2]);
  writeNpy(path.join(dir, 'y.npy'), y, [N]);
  fs.writeFileSync(path.join(dir, 'split.csv'), `id,split,speaker\n${rows.map((r) => `${r.id},${r.split},${r.speaker}`).join('\n')}\n`);
  const cfg = writeConfig(dir, {
    name: 'check', seed: 1,
    data: { source: 'npy', labels: 'y.npy', split_file: 'split.csv', modalities: [{ name: 'a', path: 'x.npy' }, { name: 'b', path: 'x2.npy' }], ...extra },
    model: { paradigm: 'joint', backbone: { hidden: [8], out: 4 } }, train: { epochs: 1, batch_size: 32 },
  });
  return { dir, cfg };
}

const check = (cfg: string, ...more: string[]) => {
  const r = runCli(['data', 'check', cfg, '--json', ...more]);
  return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};

test('clean data: exit 0, split and class counts, ranges, no duplicates, no leaks', () => {
  const { cfg } = npyData('clean');
  const r = check(cfg);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.json.splits.map((s: { split: string; samples: number }) => [s.split, s.samples]), [['train', 84], ['val', 24], ['test', 12]]);
  assert.equal(r.json.splits[0].classCounts.reduce((a: number, b: number) => a + b, 0), 84);
  assert.deepEqual(r.json.modalities.map((m: { name: string; shape: number[]; nan: number }) => [m.name, m.shape, m.nan]), [['a', [4], 0], ['b', [2], 0]]);
  assert.deepEqual([r.json.duplicateIds.count, r.json.idsAcrossSplits.count, r.json.rowsAcrossSplits.count], [0, 0, 0]);
  assert.deepEqual(r.json.problems, []);
  const text = runCli(['data', 'check', cfg]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /clean: no leak between splits, no unhandled non-finite value/);
});

test('a planted leak: test rows that copy training rows are found, with their ids; exit 1', () => {
  // Samples 9, 19, 29 (test) get the features of 0, 10, 20 (train), in both modalities.
  const { cfg, dir } = npyData('leak', (x) => {
    for (const [from, to] of [[0, 9], [10, 19], [20, 29]]) x.copyWithin(to * D, from * D, from * D + D);
  });
  const b = Float32Array.from({ length: N * 2 }, (_, i) => Math.cos(i));
  for (const [from, to] of [[0, 9], [10, 19], [20, 29]]) b.copyWithin(to * 2, from * 2, from * 2 + 2);
  writeNpy(path.join(dir, 'x2.npy'), b, [N, 2]);
  const r = check(cfg);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.json.rowsAcrossSplits.count, 3);
  assert.deepEqual(r.json.rowsAcrossSplits.examples[0], { ids: ['s0', 's9'], splits: ['train', 'test'] });
  assert.match(r.json.problems.join(), /3 identical feature row\(s\) in more than one split/);
});

test('planted NaN and -inf: counted per modality; refused by default (check exit 1, train exit 2 with one line); data.nonfinite: zero trains and records them', () => {
  const { cfg, dir } = npyData('nonfinite', (x) => {
    x[5 * D + 1] = Number.NaN;
    x[7 * D + 2] = Number.NaN;
    x[8 * D] = Number.NEGATIVE_INFINITY;
  });
  const r = check(cfg);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.json.nonfinite, { counts: [{ modality: 'a', nan: 2, inf: 1 }], handled: false });
  assert.deepEqual([r.json.modalities[0].nan, r.json.modalities[0].inf], [2, 1]);
  const runs = path.join(dir, 'runs');
  const refused = runCli(['train', cfg, '--runs-dir', runs]);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /x\.npy\[5, 1\]: modality "a" has 2 NaN and 1 infinite value; the first is NaN/);
  assert.ok(!fs.existsSync(runs) || fs.readdirSync(runs).length === 0, 'no run folder');
  const handled = check(cfg, '--set', 'data.nonfinite=zero');
  assert.equal(handled.status, 0, handled.stderr);
  assert.equal(handled.json.nonfinite.handled, true);
  const trained = runCli(['train', cfg, '--runs-dir', runs, '-q', '--set', 'data.nonfinite=zero']);
  assert.equal(trained.status, 0, trained.stderr);
  const info = JSON.parse(fs.readFileSync(path.join(runs, lastLine(trained.stdout), 'data.json'), 'utf8'));
  assert.deepEqual(info.nonfinite, [{ modality: 'a', nan: 2, inf: 1 }]);
});

test('a planted group overlap (a speaker in train and test) and ids shared between splits: exit 1, each named', () => {
  const { cfg } = npyData('groups', (_, rows) => {
    rows[3].speaker = 'spk-test-0'; // sample 3 is a training sample
    rows[20].id = 's29'; // s29 is a test sample; sample 20 is train
  }, { group: 'speaker' });
  const r = check(cfg);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(r.json.groupsAcrossSplits, { count: 1, examples: [{ group: 'spk-test-0', splits: ['train', 'test'] }] });
  assert.deepEqual(r.json.idsAcrossSplits.examples, [{ id: 's29', splits: ['train', 'test'] }]);
  assert.deepEqual(r.json.duplicateIds.examples, ['s29']);
});

test('constant features are counted; bad use is one line with exit 2', () => {
  const { cfg } = npyData('constant', (x) => {
    for (let i = 0; i < N; i++) x[i * D + 3] = 7;
  });
  const r = check(cfg);
  assert.deepEqual(r.json.modalities.map((m: { constantFeatures: number }) => m.constantFeatures), [1, 0]);
  for (const args of [['data'], ['data', 'check'], ['data', 'inspect', cfg]]) {
    const bad = runCli(args);
    assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /dmil data check CONFIG/);
  }
});
