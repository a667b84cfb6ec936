// How the exact PID estimator turns each continuous modality into clusters (pid.discretise):
//   standardised: each feature to mean 0 and variance 1, then k-means (dmil's default);
//   liang2023:    as Liang et al. (NeurIPS 2023, their synthetic table; `clustering` in the
//                 authors' synthetic/experiments/clustering.ipynb): each sample's features as the
//                 source gives them (before dmil's standardisation), scaled to unit L2 norm, then
//                 PCA to 2 components, then k-means.
// Every statistic (feature means and deviations, the PCA, the k-means centres) is fitted on
// `fitRows` (the training split) and applied to every row.
import type { Discretisation } from '../config/schema';
import type { Rng } from '../rng';
import { kmeans } from './kmeans';
import { fitPca, projectPca } from './pca';

/** Components Liang et al. kept before k-means. */
export const LIANG_PCA_COMPONENTS = 2;

/** The affine map dmil's standardisation applied per feature group (data.json); undone for liang2023. */
export interface SourceScale {
  mean: number[];
  std: number[];
}

export interface DiscretiseOptions {
  method: Discretisation;
  clusters: number;
  rng: Rng;
  /** Rows every statistic is fitted on (default: all). */
  fitRows?: Int32Array;
  /** How the features given were standardised, to get back to the source's features (liang2023). */
  sourceScale?: SourceScale;
}

/** Cluster index of each of the n rows of `values` (n x d, row-major). */
export function discretise(values: Float32Array, n: number, d: number, o: DiscretiseOptions): Int32Array {
  if (o.method === 'standardised') return kmeans(standardise(values, n, d, o.fitRows), n, d, o.clusters, o.rng, o.fitRows);
  const rows = unitRows(unstandardise(values, d, o.sourceScale), n, d);
  const pca = fitPca(rows, n, d, LIANG_PCA_COMPONENTS, o.rng, o.fitRows);
  const k = pca.components.length / d;
  return kmeans(projectPca(pca, rows, n, d), n, k, o.clusters, o.rng, o.fitRows);
}

/** Each feature to mean 0, standard deviation 1 over `rows` (constant features stay 0). */
export function standardise(values: Float32Array, n: number, d: number, rows?: Int32Array): Float64Array {
  const use = rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (const r of use) m += values[r * d + j];
    m /= use.length;
    let v = 0;
    for (const r of use) v += (values[r * d + j] - m) ** 2;
    const s = Math.sqrt(v / use.length) || 1;
    for (let r = 0; r < n; r++) out[r * d + j] = (values[r * d + j] - m) / s;
  }
  return out;
}

/** The source's features from standardised ones: x * std + mean, per feature group (the last axis of a sample's shape). */
export function unstandardise(values: Float32Array, d: number, scale?: SourceScale): Float64Array {
  const out = Float64Array.from(values);
  if (!scale) return out;
  const g = scale.mean.length;
  for (let i = 0; i < out.length; i++) {
    const k = (i % d) % g;
    out[i] = out[i] * scale.std[k] + scale.mean[k];
  }
  return out;
}

/** Each row scaled to unit Euclidean norm, in place (a zero row stays zero), as scikit-learn's `normalize`. */
export function unitRows(x: Float64Array, n: number, d: number): Float64Array {
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j] ** 2;
    const len = Math.sqrt(s);
    if (len > 0) for (let j = 0; j < d; j++) x[r * d + j] /= len;
  }
  return x;
}
