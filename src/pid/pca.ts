// Principal component analysis, for the discretisation Liang et al. (NeurIPS 2023) used before
// k-means: the leading eigenvectors of the features' covariance, found by subspace iteration with
// Rayleigh-Ritz steps (Saad, "Numerical Methods for Large Eigenvalue Problems", 2nd ed., ch. 5).
// As in scikit-learn's PCA, the data are centred but not scaled, and each component's sign is
// fixed so that its largest entry (in absolute value) is positive.
import type { Rng } from '../rng';
import { symmetricEigen } from './eigen';

export interface Pca {
  /** Feature means of the rows the PCA was fitted on. */
  mean: Float64Array;
  /** k components of length d, row-major [k, d]; orthonormal. */
  components: Float64Array;
  /** Variance along each component (the covariance's eigenvalues, largest first), divisor n. */
  variances: Float64Array;
  /** Subspace iterations it took. */
  iterations: number;
}

const EXTRA_VECTORS = 8;
const MAX_ITERATIONS = 1000;
const RITZ_EVERY = 5;

/** The k leading principal components of the n x d rows of `x` (row-major) listed in `rows` (default: all). */
export function fitPca(x: Float64Array, n: number, d: number, k: number, rng: Rng, rows?: Int32Array, tolerance = 1e-9): Pca {
  const use = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const kk = Math.min(k, d);
  const mean = new Float64Array(d);
  for (const r of use) for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= use.length;
  const cov = covariance(x, d, use, mean);
  const b = Math.min(d, kk + EXTRA_VECTORS);
  let v: Float64Array = orthonormalise(Float64Array.from({ length: d * b }, () => rng.normal()), d, b, rng);
  let ritz: Float64Array = new Float64Array(b);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    if (iterations % RITZ_EVERY === 0) {
      [v, ritz] = rayleighRitz(cov, v, d, b);
      if (converged(cov, v, ritz, d, b, kk, tolerance)) break;
    }
    v = orthonormalise(multiply(cov, v, d, b), d, b, rng);
  }
  if (iterations === MAX_ITERATIONS) [v, ritz] = rayleighRitz(cov, v, d, b);
  const components = new Float64Array(kk * d);
  for (let c = 0; c < kk; c++) {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j * b + c]) > Math.abs(big)) big = v[j * b + c];
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * v[j * b + c];
  }
  return { mean, components, variances: ritz.slice(0, kk), iterations };
}

/** Every row of `x` (n x d) projected onto the components: n x k, row-major. */
export function projectPca(pca: Pca, x: Float64Array, n: number, d: number): Float64Array {
  const k = pca.components.length / d;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[r * d + j] - pca.mean[j]) * pca.components[c * d + j];
      out[r * k + c] = s;
    }
  }
  return out;
}

/** The d x d covariance (divisor n) of the listed rows about `mean`. */
function covariance(x: Float64Array, d: number, rows: Int32Array, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) centred[j] = x[r * d + j] - mean[j];
    for (let i = 0; i < d; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      cov[i * d + j] /= rows.length;
      cov[j * d + i] = cov[i * d + j];
    }
  }
  return cov;
}

/** a (d x d) times v (d x b). */
function multiply(a: Float64Array, v: Float64Array, d: number, b: number): Float64Array {
  const out = new Float64Array(d * b);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const aij = a[i * d + j];
      if (aij === 0) continue;
      for (let c = 0; c < b; c++) out[i * b + c] += aij * v[j * b + c];
    }
  }
  return out;
}

/** The columns of v (d x b) made orthonormal by modified Gram-Schmidt; a column that vanishes is replaced by a random one. */
function orthonormalise(v: Float64Array, d: number, b: number, rng: Rng): Float64Array {
  const out = Float64Array.from(v);
  const norm = (c: number) => Math.sqrt(Array.from({ length: d }, (_, j) => out[j * b + c] ** 2).reduce((s, t) => s + t, 0));
  const scale = Math.max(...Array.from({ length: b }, (_, c) => norm(c)), Number.MIN_VALUE);
  for (let c = 0; c < b; c++) {
    for (let attempt = 0; ; attempt++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += out[j * b + c] * out[j * b + p];
        for (let j = 0; j < d; j++) out[j * b + c] -= dot * out[j * b + p];
      }
      const len = norm(c);
      if (len > 1e-10 * scale || attempt >= 10) {
        for (let j = 0; j < d; j++) out[j * b + c] /= len || 1;
        break;
      }
      for (let j = 0; j < d; j++) out[j * b + c] = rng.normal();
    }
  }
  return out;
}

/** The best approximations to eigenpairs within span(v): v rotated to the Ritz vectors, and the Ritz values (largest first). */
function rayleighRitz(a: Float64Array, v: Float64Array, d: number, b: number): [Float64Array, Float64Array] {
  const av = multiply(a, v, d, b);
  const h = new Float64Array(b * b);
  for (let p = 0; p < b; p++) {
    for (let q = 0; q < b; q++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += v[j * b + p] * av[j * b + q];
      h[p * b + q] = s;
    }
  }
  for (let p = 0; p < b; p++) for (let q = p + 1; q < b; q++) h[p * b + q] = h[q * b + p] = (h[p * b + q] + h[q * b + p]) / 2;
  const { values, vectors } = symmetricEigen(h, b);
  const rotated = new Float64Array(d * b);
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < b; c++) {
      let s = 0;
      for (let p = 0; p < b; p++) s += v[j * b + p] * vectors[p * b + c];
      rotated[j * b + c] = s;
    }
  }
  return [rotated, values];
}

/** Whether the first k Ritz pairs satisfy |A v - theta v| <= tolerance * theta_1. */
function converged(a: Float64Array, v: Float64Array, ritz: Float64Array, d: number, b: number, k: number, tolerance: number): boolean {
  if (b === d) return true;
  const av = multiply(a, v, d, b);
  const limit = tolerance * Math.max(Math.abs(ritz[0]), Number.MIN_VALUE);
  for (let c = 0; c < k; c++) {
    let r = 0;
    for (let j = 0; j < d; j++) r += (av[j * b + c] - ritz[c] * v[j * b + c]) ** 2;
    if (Math.sqrt(r) > limit) return false;
  }
  return true;
}
