// data.group: the user's own grouping of samples (annotated interaction type, speaker, noise
// level, ...), reported by eval, decompose and compare like the synthetic source's types. The CSV
// source's groups through every command: test/integration/groupsCli.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

test('data.group for the npy source: a .npy of groups, or a column of the split file; a wrong name says which exist', () => {
  const dir = tmpDir('groups-npy');
  const n = 60;
  const labels = path.join(dir, 'y.npy');
  writeNpy(labels, Int32Array.from({ length: n }, (_, i) => i % 2), [n]);
  const a = path.join(dir, 'a.npy');
  const b = path.join(dir, 'b.npy');
  writeNpy(a, Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i)), [n, 3]);
  writeNpy(b, Float32Array.from({ length: n * 2 }, (_, i) => Math.cos(i)), [n, 2]);
  const groups = path.join(dir, 'g.npy');
  writeNpy(groups, Int32Array.from({ length: n }, (_, i) => i % 4), [n]);
  const split = path.join(dir, 'split.csv');
  fs.writeFileSync(split, `id,split,site\n${Array.from({ length: n }, (_, i) => `s${i},${['train', 'train', 'val', 'test'][i % 4]},${i < 30 ? 'north' : 'south'}`).join('\n')}\n`);
  const base = { source: 'npy', labels, split_file: split, modalities: [{ name: 'a', path: a }, { name: 'b', path: b }] };
  const runsDir = path.join(dir, 'runs');
  for (const [group, names] of [[groups, ['0', '1', '2', '3']], ['site', ['north', 'south']]] as const) {
    const cfg = writeConfig(dir, { data: { ...base, group }, train: { epochs: 1 } }, `g-${names.length}.yaml`);
    const r = runCli(['train', cfg, '--runs-dir', runsDir, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(runCli(['eval', lastLine(r.stdout), '--runs-dir', runsDir, '--json', '--split', 'all']).stdout);
    assert.deepEqual(Object.keys(report.per_group), names);
  }
  const bad = runCli(['train', writeConfig(dir, { data: { ...base, group: 'region' }, train: { epochs: 1 } }, 'bad.yaml'), '--runs-dir', runsDir]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /split\.csv:1: the split file has no column "region" \(columns: id, split, site\)/);
});
