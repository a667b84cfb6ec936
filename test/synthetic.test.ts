import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromObject } from '../src/config/load';
import { INTERACTION_TYPES } from '../src/interactionTypes';
import { carriedCodes, generateSynthetic } from '../src/data/synthetic';
import { Rng } from '../src/rng';
import { tinyConfig } from './helpers';

/** Empirical mutual information (nats) between two discrete variables. */
function mutualInformation(xs: number[], ys: number[], k: number): number {
  const joint = new Array(k * k).fill(0);
  xs.forEach((x, i) => joint[x * k + ys[i]]++);
  const n = xs.length;
  let mi = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const pab = joint[a * k + b] / n;
      const pa = xs.filter((x) => x === a).length / n;
      const pb = ys.filter((y) => y === b).length / n;
      if (pab > 0) mi += pab * Math.log(pab / (pa * pb));
    }
  }
  return mi;
}

test('S samples: each modality code alone is independent of y, the pair determines it', () => {
  const rng = new Rng(5);
  const C = 4;
  const ys: number[] = [];
  const c1: number[] = [];
  const c2: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const y = rng.int(C);
    const [a, b] = carriedCodes('S', y, C, rng);
    ys.push(y);
    c1.push(a);
    c2.push(b);
    assert.equal((a + b) % C, y);
  }
  // Independent: empirical MI is only the finite-sample bias, (C-1)^2 / (2n) ~ 2e-4 nats.
  assert.ok(mutualInformation(c1, ys, C) < 0.002, `I(c1; y) = ${mutualInformation(c1, ys, C)}`);
  assert.ok(mutualInformation(c2, ys, C) < 0.002, `I(c2; y) = ${mutualInformation(c2, ys, C)}`);
  // ...while the pair carries all of H(y) = log 4.
  const pair = c1.map((a, i) => a * C + c2[i]);
  assert.ok(Math.abs(mutualInformation(pair.map((p) => p % 16), ys.map((y) => y), 16) - Math.log(4)) < 0.01);
});

test('R, U1, U2 samples carry y in the modalities the type says', () => {
  const rng = new Rng(6);
  const ys: number[] = [];
  const u1Other: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const y = rng.int(4);
    assert.deepEqual(carriedCodes('R', y, 4, rng), [y, y]);
    const [a, b] = carriedCodes('U1', y, 4, rng);
    assert.equal(a, y);
    ys.push(y);
    u1Other.push(b);
    assert.equal(carriedCodes('U2', y, 4, rng)[1], y);
  }
  assert.ok(mutualInformation(u1Other, ys, 4) < 0.005);
});

test('generation is a function of the seed, types follow the mix, splits are stratified', () => {
  const modalities = [{ name: 'a', dim: 6 }, { name: 'b', dim: 5 }];
  const cfg = configFromObject(tinyConfig({ data: { source: 'synthetic', samples: 2000, classes: 4, mix: { R: 3, U1: 1, U2: 0, S: 1 }, modalities } })).config;
  if (cfg.data.source !== 'synthetic') throw new Error('synthetic expected');
  const a = generateSynthetic(cfg.data, 3);
  const b = generateSynthetic(cfg.data, 3);
  const c = generateSynthetic(cfg.data, 4);
  assert.deepEqual(a.modalities[0].values, b.modalities[0].values);
  assert.deepEqual(a.split, b.split);
  assert.notDeepEqual(a.modalities[0].values, c.modalities[0].values);

  const share = (t: string) => a.types!.filter((x) => x === t).length / 2000;
  assert.ok(Math.abs(share('R') - 0.6) < 0.04 && Math.abs(share('U1') - 0.2) < 0.03 && Math.abs(share('S') - 0.2) < 0.03);
  assert.equal(share('U2'), 0);
  assert.deepEqual(new Set(a.types), new Set(INTERACTION_TYPES.filter((t) => t !== 'U2')));

  for (let cls = 0; cls < 4; cls++) {
    const members = [...a.labels.keys()].filter((i) => a.labels[i] === cls);
    const inTest = members.filter((i) => a.split[i] === 2).length / members.length;
    const inVal = members.filter((i) => a.split[i] === 1).length / members.length;
    assert.ok(Math.abs(inTest - 0.15) < 0.01 && Math.abs(inVal - 0.15) < 0.01, `class ${cls}: test ${inTest} val ${inVal}`);
  }
  // Features: shape and noise as configured.
  assert.equal(a.modalities[1].values.length, 2000 * 5);
});
