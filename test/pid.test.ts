// PID estimators against closed forms (bits), for uniform binary x1, x2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pidBatch, type BatchInputs } from '../src/pid/batch';
import { jointFromSamples, minimiseJointInformation, pidExact, type Joint } from '../src/pid/exact';
import { selectBackend } from '../src/backend/select';
import { Rng } from '../src/rng';

/** The joint of uniform binary x1, x2 and y = f(x1, x2). */
function gate(f: (a: number, b: number) => number, classes = 2): Joint {
  const a = [0, 0, 1, 1];
  const b = [0, 1, 0, 1];
  return jointFromSamples(a, b, a.map((v, i) => f(v, b[i])), 2, 2, classes);
}

const close = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got.toFixed(4)} vs ${want} (tolerance ${tol})`);

function expectPid(name: string, j: Joint, want: { R: number; U1: number; U2: number; S: number }, tol = 0.01) {
  const got = pidExact(j);
  for (const k of ['R', 'U1', 'U2', 'S'] as const) close(got[k], want[k], tol, `${name} ${k}`);
  assert.ok(got.converged, `${name}: the solver converged`);
  close(got.R + got.U1 + got.U2 + got.S, got.I_X1X2_Y, 1e-9, `${name}: the parts sum to I(X1, X2; Y)`);
}

test('exact PID: AND and OR give R = 0.311, U1 = U2 = 0, S = 0.5 bits', () => {
  expectPid('AND', gate((a, b) => a & b), { R: 0.311, U1: 0, U2: 0, S: 0.5 });
  expectPid('OR', gate((a, b) => a | b), { R: 0.311, U1: 0, U2: 0, S: 0.5 });
});

test('exact PID: XOR is pure synergy, y = x1 pure uniqueness, a copy of both bits U1 = U2 = 1', () => {
  expectPid('XOR', gate((a, b) => a ^ b), { R: 0, U1: 0, U2: 0, S: 1 });
  expectPid('y = x1', gate((a) => a), { R: 0, U1: 1, U2: 0, S: 0 });
  expectPid('y = x2', gate((_, b) => b), { R: 0, U1: 0, U2: 1, S: 0 });
  expectPid('copy', gate((a, b) => 2 * a + b, 4), { R: 0, U1: 1, U2: 1, S: 0 });
  expectPid('y = x1 = x2', jointFromSamples([0, 1], [0, 1], [0, 1], 2, 2, 2), { R: 1, U1: 0, U2: 0, S: 0 });
});

test('exact PID: the optimum stays in Delta, the objective only falls, and a tighter tolerance moves it by less than the looser one', () => {
  const j = gate((a, b) => a & b);
  const loose = minimiseJointInformation(j, { tolerance: 1e-5 });
  const tight = minimiseJointInformation(j, { tolerance: 1e-10 });
  assert.ok(tight.I_q <= loose.I_q + 1e-12);
  assert.ok(loose.I_q - tight.I_q < 1e-3, `loose ${loose.I_q} vs tight ${tight.I_q}`);
  // Marginals p(x1, y) and p(x2, y) are kept.
  const m = (q: Joint, which: 1 | 2) => {
    const out = new Float64Array(4);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let y = 0; y < 2; y++) out[(which === 1 ? a : b) * 2 + y] += q.p[(a * 2 + b) * 2 + y];
    return [...out];
  };
  for (const which of [1, 2] as const) m(tight.q, which).forEach((v, i) => close(v, m(j, which)[i], 1e-6, `marginal ${which}`));
});

/** Samples of uniform bits with y = f(x1, x2), and the count-based conditionals a perfect classifier would give. */
function sampledGate(f: (a: number, b: number) => number, classes: number, n: number, seed: number): BatchInputs {
  const rng = new Rng(seed);
  const a = Int32Array.from({ length: n }, () => rng.int(2));
  const b = Int32Array.from({ length: n }, () => rng.int(2));
  const y = Int32Array.from(a, (v, i) => f(v, b[i]));
  const conditional = (key: (i: number) => number, keys: number) => {
    const counts = new Float64Array(keys * classes);
    for (let i = 0; i < n; i++) counts[key(i) * classes + y[i]]++;
    const out = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      const k = key(i);
      let t = 0;
      for (let c = 0; c < classes; c++) t += counts[k * classes + c];
      for (let c = 0; c < classes; c++) out[i * classes + c] = counts[k * classes + c] / t;
    }
    return out;
  };
  return {
    x1: Float32Array.from(a, (v) => 2 * v - 1), x2: Float32Array.from(b, (v) => 2 * v - 1), d1: 1, d2: 1,
    p1: conditional((i) => a[i], 2), p2: conditional((i) => b[i], 2), p12: conditional((i) => 2 * a[i] + b[i], 4), classes,
  };
}

test('batch PID on sampled data: AND, OR, XOR, y = x1 and the copy within 0.05 bits of the closed forms', async () => {
  await selectBackend('wasm');
  const n = 1024;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const cases: [string, (a: number, b: number) => number, number, { R: number; U1: number; U2: number; S: number }][] = [
    ['AND', (a, b) => a & b, 2, { R: 0.311, U1: 0, U2: 0, S: 0.5 }],
    ['OR', (a, b) => a | b, 2, { R: 0.311, U1: 0, U2: 0, S: 0.5 }],
    ['XOR', (a, b) => a ^ b, 2, { R: 0, U1: 0, U2: 0, S: 1 }],
    ['y = x1', (a) => a, 2, { R: 0, U1: 1, U2: 0, S: 0 }],
    ['copy', (a, b) => 2 * a + b, 4, { R: 0, U1: 1, U2: 1, S: 0 }],
  ];
  for (const [name, f, classes, want] of cases) {
    const got = await pidBatch(sampledGate(f, classes, n, 7), all, all, { seed: 1 });
    for (const k of ['R', 'U1', 'U2', 'S'] as const) close(got[k], want[k], 0.05, `batch ${name} ${k}`);
  }
});
