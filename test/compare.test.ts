// dmil compare: runs grouped by setting (configs equal but for the seed), labelled by what
// differs, each metric as mean and sample standard deviation over the seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { findBaseline, groupRuns, summarise } from '../src/compare/group';
import { pairedDifference, t975 } from '../src/analysis/intervals';
import { formatComparison, pairedTable } from '../src/compare/tables';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

const run = (id: string, seed: number, paradigm: string, accuracy: number, name = 'x') => ({
  id, seed, config: { name, seed, data: { source: 'synthetic', seed }, model: { paradigm, init: 'torch' } }, metrics: { accuracy },
});

test('summarise: mean and sample standard deviation', () => {
  const s = summarise([0.8, 0.9, 1.0]);
  assert.ok(Math.abs(s.mean - 0.9) < 1e-12);
  assert.ok(Math.abs(s.std - 0.1) < 1e-12);
  assert.ok(Number.isNaN(summarise([0.5]).std));
  assert.ok(Number.isNaN(summarise([]).mean));
});

test('runs that differ only in the seed form one group; groups are labelled by the keys that differ', () => {
  const groups = groupRuns([run('a1', 1, 'joint', 0.8), run('b1', 1, 'dmil', 0.9), run('a2', 2, 'joint', 0.82), run('b2', 2, 'dmil', 0.94)]);
  assert.deepEqual(groups.map((g) => g.label), ['model.paradigm=joint', 'model.paradigm=dmil']);
  assert.deepEqual(groups[1].runs.map((r) => r.id), ['b1', 'b2']);
  assert.ok(Math.abs(groups[1].metrics.accuracy.mean - 0.92) < 1e-12);
  assert.deepEqual(groups[1].metrics.accuracy.values, [0.9, 0.94]);
  assert.deepEqual(groupRuns([run('a1', 1, 'joint', 0.8), run('a2', 2, 'joint', 0.7)]).map((g) => g.label), ['all runs']);
  // An ablation is labelled by what it changes against the most common setting; the paradigm is always named.
  const ablation = (id: string, adv: string, latent = 32) => ({ ...run(id, 1, 'dmil', 0.9), config: { name: 'x', seed: 1, data: { source: 'synthetic', seed: 1 }, model: { paradigm: 'dmil', dmil: { adversary: adv, latent } } } });
  assert.deepEqual(groupRuns([run('j', 1, 'joint', 0.8), ablation('d', 'prior'), ablation('g', 'grl'), ablation('o', 'off'), ablation('l', 'prior', 64)]).map((g) => g.label),
    ['model.paradigm=joint', 'model.paradigm=dmil', 'model.paradigm=dmil model.dmil.adversary=grl', 'model.paradigm=dmil model.dmil.adversary=off', 'model.paradigm=dmil model.dmil.latent=64']);
  const stages = (id: string, list: string[], latent = 32) => ({ ...run(id, 1, 'dmil', 0.9), config: { name: 'x', seed: 1, data: { source: 'synthetic', seed: 1 }, model: { paradigm: 'dmil', dmil: { latent, stages: list.map((name) => ({ name })) } } } });
  assert.deepEqual(groupRuns([stages('a', ['decompose-intra', 'finetune']), stages('b', ['decompose-intra']), stages('c', ['decompose-intra', 'finetune'], 64)]).map((g) => g.label),
    ['reference', 'model.dmil.stages=[{name: decompose-intra}]', 'model.dmil.latent=64']);
  // Runs of other configs are told apart by their name first.
  const other = { ...run('b', 1, 'joint', 0.8, 'pairs'), config: { name: 'pairs', seed: 1, data: { source: 'pairs', seed: 1 }, model: { paradigm: 'joint', init: 'torch' } } };
  assert.deepEqual(groupRuns([run('a', 1, 'joint', 0.8, 'mix'), other]).map((g) => g.label), ['name=mix', 'name=pairs']);
  assert.equal(groupRuns([run('a', 1, 'joint', 0.8, 'mix'), run('b', 2, 'joint', 0.7, 'renamed')]).length, 1, 'a name alone is not a setting');
});

test('dmil compare on real runs: a table over seeds, --json with every run, --markdown', () => {
  const dir = tmpDir('compare');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const ids = ['joint', 'ensemble'].flatMap((p) => [1, 2].map((s) => lastLine(runCli(['train', cfg, '--runs-dir', runsDir, '-q', '--set', `model.paradigm=${p}`, '--set', `seed=${s}`]).stdout)));
  const json = runCli(['compare', ...ids, '--runs-dir', runsDir, '--json']);
  assert.equal(json.status, 0, json.stderr);
  const groups = JSON.parse(json.stdout);
  assert.deepEqual(groups.map((g: { label: string }) => g.label), ['model.paradigm=joint', 'model.paradigm=ensemble']);
  assert.deepEqual(groups[1].runs.map((r: { seed: number }) => r.seed), [1, 2]);
  assert.equal(typeof groups[1].metrics.synergy_indicator.mean, 'number');
  const md = runCli(['compare', '--all', '--runs-dir', runsDir, '--markdown']);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^\| model\.paradigm=joint \| 2 \| \d\.\d{3} ± \d\.\d{3} \(\d\.\d{3}, \d\.\d{3}\) \|/m);
  const none = runCli(['compare', '--runs-dir', path.join(dir, 'empty')]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no runs to compare/);
});

test('paired differences: the mean over matching seeds and its 95% paired-t interval, against the closed form', () => {
  // d = 0.01, 0.02, 0.03: mean 0.02, sd 0.01, t(0.975, 2) = 4.302652729911275; half-width t * 0.01 / sqrt(3).
  const d = pairedDifference([0.91, 0.92, 0.93], [0.9, 0.9, 0.9]);
  const half = 4.302652729911275 * 0.01 / Math.sqrt(3);
  assert.equal(d.n, 3);
  assert.ok(Math.abs(d.mean - 0.02) < 1e-12);
  assert.ok(Math.abs(d.ci[0] - (0.02 - half)) < 1e-9 && Math.abs(d.ci[1] - (0.02 + half)) < 1e-9);
  // Student's t 97.5% quantiles for any df (published tables, 6 decimals), approaching the normal's.
  for (const [df, q] of [[1, 12.706205], [2, 4.302653], [5, 2.570582], [30, 2.042272], [31, 2.039513], [60, 2.000298], [120, 1.979930], [1000, 1.962339]]) {
    assert.ok(Math.abs(t975(df) - q) < 1e-6, `t(0.975, ${df}) = ${t975(df)}, tables ${q}`);
  }
  assert.ok(Math.abs(t975(1e7) - 1.959964) < 1e-5, 'very large samples: the normal quantile');
  assert.ok(Number.isNaN(pairedDifference([0.9], [0.8]).ci[0]), 'one pair has no interval');

  const groups = groupRuns([run('j1', 1, 'joint', 0.90), run('j2', 2, 'joint', 0.90), run('j3', 3, 'joint', 0.90), run('d1', 1, 'dmil', 0.91), run('d2', 2, 'dmil', 0.92), run('d3', 3, 'dmil', 0.93), run('d4', 4, 'dmil', 0.5)]);
  const baseline = findBaseline(groups, 'model.paradigm=joint');
  assert.equal(findBaseline(groups, 'j2'), baseline, 'a run of the setting names it too');
  const text = pairedTable(groups, baseline, true);
  assert.match(text, /\| model\.paradigm=dmil \| 3 \| \+0\.020 \[-0\.005, \+0\.045\] \|/, 'seed 4 has no partner and is left out');
  assert.throws(() => findBaseline(groups, 'model.paradigm=ensemble'), /no setting "model\.paradigm=ensemble" among the compared runs/);
});

test('the gate tables name the components from any type present: pure XOR data (S samples only) gets its g_R ... g_S columns and its own-component column', () => {
  const metrics = { accuracy: 1, type_S: 1, gate_S_R: 0.02, gate_S_U_a: 0.03, gate_S_U_b: 0.05, gate_S_S: 0.9 };
  const groups = groupRuns([1, 2].map((seed) => ({ id: `x${seed}`, seed, config: { seed, model: { paradigm: 'dmil' } }, metrics })));
  const out = formatComparison(groups, false);
  assert.match(out, /gate on own component \(S\)/);
  assert.match(out, /samples +g_R +g_U_a +g_U_b +g_S\n/);
  assert.match(out, /\nall runs +S +0\.020 ± 0\.000 +0\.030 ± 0\.000 +0\.050 ± 0\.000 +0\.900 ± 0\.000\s*$/);
});
