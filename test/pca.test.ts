// The linear algebra under pid.discretise liang2023, against closed forms: Jacobi eigenpairs of
// small symmetric matrices, and PCA of data whose covariance is known exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigen } from '../src/pid/eigen';
import { fitPca, projectPca } from '../src/pid/pca';
import { Rng } from '../src/rng';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('symmetricEigen: [[2, 1], [1, 2]] has eigenvalues 3 and 1 with vectors (1, 1) and (1, -1) over sqrt 2', () => {
  const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
  close(values[0], 3, 1e-14, 'lambda 1');
  close(values[1], 1, 1e-14, 'lambda 2');
  close(Math.abs(vectors[0]), Math.SQRT1_2, 1e-14, 'v1[0]');
  close(vectors[0] * vectors[2], 0.5, 1e-14, 'v1 = +-(1, 1)/sqrt 2');
  close(vectors[1] * vectors[3], -0.5, 1e-14, 'v2 = +-(1, -1)/sqrt 2');
});

test('symmetricEigen: a diagonal matrix gives its diagonal, largest first, with unit vectors', () => {
  const { values, vectors } = symmetricEigen(Float64Array.from([1, 0, 0, 0, 5, 0, 0, 0, 3]), 3);
  assert.deepEqual(Array.from(values), [5, 3, 1]);
  assert.deepEqual(Array.from(vectors, Math.abs), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
});

test('symmetricEigen: a random symmetric 7 x 7 matrix: A v = lambda v, V orthonormal, trace kept', () => {
  const n = 7;
  const rng = new Rng(3);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  const { values, vectors } = symmetricEigen(a, n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + c];
      close(av, values[c] * vectors[i * n + c], 1e-12, `(A v${c})[${i}]`);
    }
    for (let c2 = 0; c2 < n; c2++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors[i * n + c] * vectors[i * n + c2];
      close(dot, c === c2 ? 1 : 0, 1e-12, `v${c} . v${c2}`);
    }
  }
  for (let c = 1; c < n; c++) assert.ok(values[c - 1] >= values[c], 'largest first');
  close(values.reduce((s, v) => s + v, 0), Array.from({ length: n }, (_, i) => a[i * n + i]).reduce((s, v) => s + v, 0), 1e-12, 'trace');
});

/**
 * Rows offset + e1 s1 u + e2 s2 w + e3 s3 t over all eight sign patterns (e1, e2, e3): the mean is
 * `offset` and the covariance exactly s1^2 uu' + s2^2 ww' + s3^2 tt' (orthonormal u, w, t).
 */
function knownCovariance(d: number, scales: [number, number, number], seed: number) {
  const rng = new Rng(seed);
  const basis: Float64Array[] = [];
  while (basis.length < 3) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (const b of basis) {
      const dot = v.reduce((s, x, j) => s + x * b[j], 0);
      for (let j = 0; j < d; j++) v[j] -= dot * b[j];
    }
    const len = Math.hypot(...v);
    basis.push(v.map((x) => x / len));
  }
  const offset = Float64Array.from({ length: d }, (_, j) => j - d / 2);
  const signs = Array.from({ length: 8 }, (_, p) => [p & 1 ? 1 : -1, p & 2 ? 1 : -1, p & 4 ? 1 : -1]);
  const x = new Float64Array(8 * d);
  signs.forEach((e, r) => {
    for (let j = 0; j < d; j++) x[r * d + j] = offset[j] + e.reduce((s, ek, k) => s + ek * scales[k] * basis[k][j], 0);
  });
  return { x, n: 8, basis, offset, signs };
}

for (const d of [3, 40]) {
  test(`fitPca (d = ${d}${d > 10 ? ': subspace iteration' : ': one Rayleigh-Ritz step'}): variances 9 and 4, components the first two axes, the mean the offset`, () => {
    const { x, n, basis, offset } = knownCovariance(d, [3, 2, 1], 7);
    const pca = fitPca(x, n, d, 2, new Rng(1));
    close(pca.variances[0], 9, 1e-9, 'variance 1');
    close(pca.variances[1], 4, 1e-9, 'variance 2');
    for (let j = 0; j < d; j++) close(pca.mean[j], offset[j], 1e-12, `mean[${j}]`);
    for (let c = 0; c < 2; c++) {
      const dot = basis[c].reduce((s, v, j) => s + v * pca.components[c * d + j], 0);
      close(Math.abs(dot), 1, 1e-9, `component ${c} is +-axis ${c}`);
      // scikit-learn's sign convention: the largest entry is positive.
      const comp = Array.from(pca.components.subarray(c * d, (c + 1) * d));
      const big = comp.reduce((b, v) => (Math.abs(v) > Math.abs(b) ? v : b), 0);
      assert.ok(big > 0, `component ${c}'s largest entry ${big} is positive`);
    }
  });
}

test('projectPca: each row of the known-covariance data projects to (e1 * 3, e2 * 2), up to each component\'s sign', () => {
  const d = 12;
  const { x, n, signs } = knownCovariance(d, [3, 2, 1], 11);
  const pca = fitPca(x, n, d, 2, new Rng(2));
  const y = projectPca(pca, x, n, d);
  const flip = [Math.sign(y[0]) * signs[0][0], Math.sign(y[1]) * signs[0][1]];
  signs.forEach((e, r) => {
    close(y[r * 2], flip[0] * e[0] * 3, 1e-9, `row ${r}, component 1`);
    close(y[r * 2 + 1], flip[1] * e[1] * 2, 1e-9, `row ${r}, component 2`);
  });
});

test('fitPca on listed rows uses only those rows: rows added outside them change nothing', () => {
  const d = 5;
  const { x } = knownCovariance(d, [3, 2, 1], 5);
  const extra = Float64Array.from({ length: 4 * d }, (_, i) => 100 * Math.sin(i));
  const all = new Float64Array(x.length + extra.length);
  all.set(extra, 0);
  all.set(x, extra.length);
  const rows = Int32Array.from({ length: 8 }, (_, i) => i + 4);
  const a = fitPca(x, 8, d, 2, new Rng(4));
  const b = fitPca(all, 12, d, 2, new Rng(4), rows);
  for (let i = 0; i < a.components.length; i++) close(b.components[i], a.components[i], 1e-9, `component entry ${i}`);
  for (let i = 0; i < 2; i++) close(b.variances[i], a.variances[i], 1e-9, `variance ${i}`);
});

test('fitPca: one feature gives one component; constant data gives variance 0 and a unit component', () => {
  const one = fitPca(Float64Array.from([1, 2, 3, 4]), 4, 1, 2, new Rng(1));
  assert.equal(one.components.length, 1);
  close(one.variances[0], 1.25, 1e-12, 'variance of 1, 2, 3, 4');
  const flat = fitPca(new Float64Array(5 * 20).fill(2), 5, 20, 2, new Rng(1));
  close(flat.variances[0], 0, 1e-12, 'variance');
  close(Math.hypot(...flat.components.subarray(0, 20)), 1, 1e-9, 'unit length');
});
