// Uncertainty of a reported figure: the Wilson score interval for a proportion (accuracy), and
// a seeded percentile bootstrap over samples for statistics without a closed form (macro-F1).
import { Rng } from '../rng';

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export type Interval = [number, number];

/**
 * Wilson score interval for k successes in n trials:
 *   (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n),  p = k/n.
 * Unlike the normal approximation it stays inside [0, 1] and is sound at p = 0 or 1.
 */
export function wilsonInterval(k: number, n: number, z = Z95): Interval {
  if (n === 0) return [Number.NaN, Number.NaN];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Percentile bootstrap: `statistic` on `resamples` samples of n indices drawn with replacement,
 * and the (2.5, 97.5) percentiles of the results. Seeded, so a report is reproducible.
 */
export function bootstrapInterval(n: number, statistic: (indices: Int32Array) => number, resamples = 1000, seed = 0): Interval {
  return bootstrapIntervals(n, (idx) => ({ v: statistic(idx) }), resamples, seed).v ?? [Number.NaN, Number.NaN];
}

/** The same for several statistics computed together on each resample (one interval per key). */
export function bootstrapIntervals(n: number, statistics: (indices: Int32Array) => Record<string, number>, resamples = 1000, seed = 0): Record<string, Interval> {
  if (n === 0) return {};
  const rng = Rng.derive(seed, 'bootstrap');
  const values: Record<string, number[]> = {};
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    for (const [k, v] of Object.entries(statistics(idx))) if (!Number.isNaN(v)) (values[k] ??= []).push(v);
  }
  return Object.fromEntries(Object.entries(values).map(([k, vs]) => {
    vs.sort((a, b) => a - b);
    return [k, [quantile(vs, 0.025), quantile(vs, 0.975)] as Interval];
  }));
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (beyond: the normal's). */
const T975 = [12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272];

export const t975 = (df: number): number => (df >= 1 && df <= 30 ? T975[df - 1] : Z95);

export interface PairedDifference {
  /** Number of pairs (seeds both settings have). */
  n: number;
  mean: number;
  /** 95% paired-t interval of the mean difference; NaN ends with fewer than two pairs. */
  ci: Interval;
}

/** Mean of a - b over pairs and its 95% paired-t interval: mean +- t(0.975, n-1) * sd / sqrt(n). */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  const d = a.map((x, i) => x - b[i]).filter((v) => !Number.isNaN(v));
  const n = d.length;
  const mean = n ? d.reduce((s, v) => s + v, 0) / n : Number.NaN;
  if (n < 2) return { n, mean, ci: [Number.NaN, Number.NaN] };
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = t975(n - 1) * sd / Math.sqrt(n);
  return { n, mean, ci: [mean - half, mean + half] };
}
