// The rule the defaults are chosen by (src/compare/decision.ts), on hand-made runs whose
// differences and gate weights are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, decisionMarkdown, judge, paperSide, routingFailure, type SettingRuns } from '../src/compare/decision';
import { studentTQuantile } from '../src/analysis/intervals';

const COMPONENTS = ['R', 'U_a', 'U_b', 'S'];
const TYPES = ['R', 'U1', 'U2', 'S'];

/** Gate weights where each type puts `own` on its component and the rest evenly on the others. */
function gate(own: number[]): Record<string, number> {
  const g: Record<string, number> = {};
  TYPES.forEach((t, i) => COMPONENTS.forEach((c, j) => (g[`gate_${t}_${c}`] = i === j ? own[i] : (1 - own[i]) / 3)));
  return g;
}

function setting(label: string, accuracy: number[], own = [0.8, 0.8, 0.8, 0.8], typeS?: number[]): SettingRuns {
  return {
    label,
    runs: accuracy.map((a, i) => ({
      seed: i + 1,
      metrics: { accuracy: a, type_R: a, type_U1: a, type_U2: a, type_S: typeS?.[i] ?? a, ...gate(own) },
    })),
  };
}

test('the paper side is read from the variant name', () => {
  assert.equal(paperSide('no warm-up heads (paper)'), 'variant');
  assert.equal(paperSide('adversary prior (ours)'), 'reference');
  assert.equal(paperSide('gate reads features only'), null);
});

test('routing holds when every type puts at least half its weight, and the most, on its own component', () => {
  assert.equal(routingFailure(setting('x', [0.9, 0.9])), null);
  assert.match(routingFailure(setting('x', [0.9, 0.9], [0.8, 0.45, 0.8, 0.8]))!, /^U1 samples put 0\.45 on U_a \(below 0\.5\)/);
  const skewed = setting('x', [0.9, 0.9]);
  for (const r of skewed.runs) Object.assign(r.metrics, { gate_R_R: 0.5, gate_R_U_a: 0.5, gate_R_U_b: 0, gate_R_S: 0 });
  assert.equal(routingFailure(skewed), null, 'a tie at 0.5 keeps R as the largest');
  for (const r of skewed.runs) Object.assign(r.metrics, { gate_R_R: 0.5, gate_R_U_a: 0.51 });
  assert.match(routingFailure(skewed)!, /R samples put more on U_a \(0\.51\) than on R \(0\.50\)/);
});

test('the paper fails when its accuracy is significantly lower: the paired-t interval of paper minus ours, at 1 - 0.05/5 with five accuracies tested, lies below 0', () => {
  // differences -0.02, -0.03, -0.01: mean -0.02, sd 0.01, half width t(0.995, 2) * 0.01 / sqrt 3 = 0.0573 -> crosses 0
  const near = judge(setting('p', [0.88, 0.87, 0.89]), setting('o', [0.9, 0.9, 0.9]));
  assert.ok(Math.abs(near.differences.accuracy.ci[1] - (-0.02 + studentTQuantile(0.995, 2) * 0.01 / Math.sqrt(3))) < 1e-12);
  assert.equal(near.failure, null);
  // differences -0.02, -0.021, -0.019, -0.02: interval well below 0
  const worse = judge(setting('p', [0.88, 0.879, 0.881, 0.88]), setting('o', [0.9, 0.9, 0.9, 0.9]));
  assert.match(worse.failure!, /^accuracy lower by 0\.020 \(99% interval/);
});

test('one type lower at the 95% level but not at the shared-out 99% holds: five accuracies, five chances of a false alarm', () => {
  // S differences -0.012, -0.005, -0.01, -0.003, -0.005: mean -0.007, sd 0.0038; 95% upper end -0.0023 < 0, 99% upper end +0.0008
  const paper = setting('p', [0.9, 0.9, 0.9, 0.9, 0.9], undefined, [0.888, 0.895, 0.89, 0.897, 0.895]);
  const verdict = judge(paper, setting('o', [0.9, 0.9, 0.9, 0.9, 0.9]));
  assert.equal(verdict.failure, null);
  assert.ok(verdict.differences.type_S.ci[1] > 0 && verdict.differences.type_S.mean < -0.006);
});

test('a significantly lower type counts even when overall accuracy is level', () => {
  const paper = setting('p', [0.9, 0.9, 0.9], undefined, [0.7, 0.71, 0.69]);
  const verdict = judge(paper, setting('o', [0.9, 0.9, 0.9], undefined, [0.8, 0.8, 0.8]));
  assert.match(verdict.failure!, /^S lower by 0\.100/);
});

test('decide: a paper-form variant that fails on one data set keeps ours; an ours variant against a holding paper default agrees', () => {
  const reference = setting('reference', [0.9, 0.91, 0.9]);
  const rows = decide([
    { data: 'mix', reference, variants: new Map([['no warm-up heads (paper)', setting('w', [0.9, 0.91, 0.9], [0.8, 0.3, 0.8, 0.8])], ['adversary prior (ours)', setting('a', [0.9, 0.92, 0.9])]]) },
    { data: 'pairs', reference, variants: new Map([['no warm-up heads (paper)', setting('w', [0.9, 0.91, 0.9])], ['adversary prior (ours)', setting('a', [0.9, 0.9, 0.91])]]) },
  ]);
  assert.deepEqual(rows.map((r) => [r.variant, r.rule, r.defaults]), [['no warm-up heads (paper)', 'ours', 'ours'], ['adversary prior (ours)', 'paper', 'paper']]);
  assert.match(rows[0].perData[0].failure!, /U1 samples put 0\.30/);
  assert.equal(rows[0].perData[1].failure, null);
});

test('routing on data of one type (pure XOR: S samples only) reads the components from the S weights and checks S alone', () => {
  const only = (gS: number): SettingRuns => ({
    label: 'xor',
    runs: [1, 2].map((seed) => ({ seed, metrics: { accuracy: 1, type_S: 1, gate_S_R: (1 - gS) / 3, gate_S_U_a: (1 - gS) / 3, gate_S_U_b: (1 - gS) / 3, gate_S_S: gS } })),
  });
  assert.equal(routingFailure(only(0.9)), null);
  assert.match(routingFailure(only(0.4))!, /^S samples put 0\.40 on S \(below 0\.5\)/);
  assert.equal(routingFailure({ label: 'joint', runs: [{ seed: 1, metrics: { accuracy: 0.9, type_S: 0.9 } }] }), 'no gate weights by type');
  const noR = only(0.9);
  for (const r of noR.runs) r.metrics.type_R = 1;
  assert.equal(routingFailure(noR), 'no gate weights for R samples');
});

test('routing with three modalities: each U type is checked against its own modality\'s component', () => {
  const comps = ['R', 'U_text', 'U_audio', 'U_vision', 'S'];
  const types = ['R', 'U1', 'U2', 'U3', 'S'];
  const metrics: Record<string, number> = { accuracy: 0.9 };
  types.forEach((t, i) => {
    metrics[`type_${t}`] = 0.9;
    comps.forEach((c, j) => (metrics[`gate_${t}_${c}`] = i === j ? 0.8 : 0.05));
  });
  const ok: SettingRuns = { label: 'k3', runs: [{ seed: 1, metrics }] };
  assert.equal(routingFailure(ok), null);
  const swapped: SettingRuns = { label: 'k3', runs: [{ seed: 1, metrics: { ...metrics, gate_U3_U_vision: 0.05, gate_U3_U_audio: 0.8 } }] };
  assert.match(routingFailure(swapped)!, /^U3 samples put 0\.05 on U_vision/);
});

test('the decision table: one row per variant, a cell per data set (difference, interval, verdict), "-" where a data set lacks the variant, and whether the defaults agree', () => {
  const reference = setting('reference', [0.9, 0.91, 0.9]);
  const rows = decide([
    { data: 'mix', reference, variants: new Map([
      ['no warm-up heads (paper)', setting('w', [0.9, 0.91, 0.9], [0.8, 0.3, 0.8, 0.8])],
      ['adversary prior (ours)', setting('a', [0.9, 0.92, 0.9])],
      ['gate reads features only', setting('g', [0.91, 0.92, 0.92])],
    ]) },
    { data: 'pairs', reference, variants: new Map([['no warm-up heads (paper)', setting('w', [0.9, 0.91, 0.9])]]) },
  ]);
  // A paper-form default whose paper form fails: the rule disagrees with the defaults.
  rows.push({ ...rows[1], variant: 'adversary prior, disputed (ours)', defaults: 'paper', rule: 'ours' });
  // Paper minus ours over seeds 1-3: 0, -0.01, 0 (sd 0.01/sqrt(3)), at the rule's 99.5% t quantile
  // (five accuracies tested); the neutral variant, variant minus defaults 0.01, 0.01, 0.02, at 97.5%.
  const half = (t: number, sd: number) => (t * sd) / Math.sqrt(3);
  const sd = 0.01 / Math.sqrt(3);
  const rule = half(studentTQuantile(0.995, 2), sd);
  const neutral = half(studentTQuantile(0.975, 2), sd);
  const f = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const priorCell = `-0.003 [${f(-0.01 / 3 - rule)}, ${f(-0.01 / 3 + rule)}]; paper's form holds`;
  assert.equal(priorCell, "-0.003 [-0.036, +0.030]; paper's form holds");
  assert.equal(decisionMarkdown(rows), [
    "| variant of the defaults | mix: accuracy, paper minus ours [the rule's interval] | pairs: accuracy, paper minus ours [the rule's interval] | default by the rule |",
    '| --- | --- | --- | --- |',
    "| no warm-up heads (paper) | +0.000 [+0.000, +0.000]; paper's form fails: U1 samples put 0.30 on U_a (below 0.5) | +0.000 [+0.000, +0.000]; paper's form holds | ours (agrees) |",
    `| adversary prior (ours) | ${priorCell} | - | paper's form (agrees) |`,
    `| gate reads features only | +0.013 [${f(0.04 / 3 - neutral)}, ${f(0.04 / 3 + neutral)}] (variant minus defaults) | - | no paper form: kept |`,
    `| adversary prior, disputed (ours) | ${priorCell} | - | **ours: the defaults disagree** |`,
  ].join('\n'));
});
