// Groups end to end through the CLI: a CSV with a group column trains, and eval, decompose and
// compare report accuracy and gate means per group (test/groups.test.ts has the npy source's groups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { lastLine, repoRoot, runCli, tmpDir, writeConfig } from '../helpers';

test('a CSV with a group column trains; eval, decompose and compare report accuracy and gate means per group', () => {
  const dir = tmpDir('groups');
  const lines = fs.readFileSync(path.join(repoRoot, 'datasets', 'example.csv'), 'utf8').trim().split('\n');
  const csv = path.join(dir, 'grouped.csv');
  fs.writeFileSync(csv, `${lines[0]},speaker\n${lines.slice(1).map((l, i) => `${l},${['ann', 'bob', 'cy'][i % 3]}`).join('\n')}\n`);
  const config = (seed: number) => writeConfig(dir, {
    name: 'grouped', seed,
    data: { source: 'csv', path: csv, id: 'id', label: 'label', split_column: 'split', group: 'speaker', modalities: [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: 'm2_*' }] },
    model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 }, dmil: { latent: 4 } },
    train: { epochs: 3, early_stop: { patience: 0 } },
  }, `grouped-${seed}.yaml`);
  const runsDir = path.join(dir, 'runs');
  const ids = [1, 2].map((seed) => {
    const r = runCli(['train', config(seed), '--runs-dir', runsDir, '-q']);
    assert.equal(r.status, 0, r.stderr);
    return lastLine(r.stdout);
  });
  const report = JSON.parse(runCli(['eval', ids[0], '--runs-dir', runsDir, '--json']).stdout);
  assert.deepEqual(Object.keys(report.per_group), ['ann', 'bob', 'cy']);
  const total = Object.values(report.per_group as Record<string, { samples: number; accuracy: number }>).reduce((a, g) => a + g.samples, 0);
  assert.equal(total, report.samples);
  const weighted = Object.values(report.per_group as Record<string, { samples: number; accuracy: number }>).reduce((a, g) => a + g.accuracy * g.samples, 0) / total;
  assert.ok(Math.abs(weighted - report.accuracy) < 1e-9, 'group accuracies add up to the accuracy');
  for (const g of ['ann', 'bob', 'cy']) {
    const w = report.gate_by_group[g];
    assert.ok(Math.abs(w.R + w.U_m1 + w.U_m2 + w.S - 1) < 1e-5, `gate weights of group ${g} sum to 1`);
  }
  const table = runCli(['eval', ids[0], '--runs-dir', runsDir]).stdout;
  assert.match(table, /group bob accuracy \(\d+ samples\) +\d\.\d{4} \[/);
  assert.match(table, /\ngroup cy +\d\.\d{3} +\d\.\d{3}/);

  const out = path.join(dir, 'scores.csv');
  const dec = runCli(['decompose', ids[0], '--runs-dir', runsDir, '--out', out]);
  assert.equal(dec.status, 0, dec.stderr);
  assert.match(dec.stdout, /\ngroup ann +\d\.\d{3}/);
  const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.ok(rows.every((r) => ['ann', 'bob', 'cy'].includes(r.group)));

  const cmp = runCli(['compare', ...ids, '--runs-dir', runsDir]);
  assert.equal(cmp.status, 0, cmp.stderr);
  assert.match(cmp.stdout, /accuracy by group\nsetting +ann +bob +cy\n/);
  assert.match(cmp.stdout, /mean gate weight by group\nsetting +group +g_R +g_U_m1 +g_U_m2 +g_S\n/);
  assert.match(cmp.stdout, / 2 /, 'the two seeds form one setting');
});
