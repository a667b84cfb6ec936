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
  const values: Record<string, number>[] = [];
  for (const idx of resampleIndices(n, resamples, seed)) values.push(statistics(idx));
  return percentileIntervals(values);
}

/** bootstrapIntervals for statistics computed on a device (read back asynchronously): the same resamples, the same intervals. */
export async function bootstrapIntervalsAsync(n: number, statistics: (indices: Int32Array) => Promise<Record<string, number>>, resamples = 1000, seed = 0): Promise<Record<string, Interval>> {
  const values: Record<string, number>[] = [];
  for (const idx of resampleIndices(n, resamples, seed)) values.push(await statistics(idx));
  return percentileIntervals(values);
}

/** `resamples` draws of n indices with replacement (one array, refilled for each). */
function* resampleIndices(n: number, resamples: number, seed: number): Generator<Int32Array> {
  if (n === 0) return;
  const rng = Rng.derive(seed, 'bootstrap');
  const idx = new Int32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    yield idx;
  }
}

/** The (2.5, 97.5) percentiles of each statistic over the resamples, NaNs left out. */
function percentileIntervals(resampled: Record<string, number>[]): Record<string, Interval> {
  const values: Record<string, number[]> = {};
  for (const stats of resampled) for (const [k, v] of Object.entries(stats)) if (!Number.isNaN(v)) (values[k] ??= []).push(v);
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

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 digits). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const aa of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b), the regularised incomplete beta function. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (any df > 0). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (0.5 < p < 1), by bisection on the CDF to 1e-12. */
export function studentTQuantile(p: number, df: number): number {
  if (!Number.isFinite(df)) return p === 0.975 ? Z95 : Number.NaN;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The 97.5% quantile of Student's t: the half-width factor of a two-sided 95% t-interval. */
export const t975 = (df: number): number => studentTQuantile(0.975, df);

export interface PairedDifference {
  /** Number of pairs (seeds both settings have). */
  n: number;
  mean: number;
  /** Paired-t interval of the mean difference (95% unless asked otherwise); NaN ends with fewer than two pairs. */
  ci: Interval;
}

/**
 * Mean of a - b over pairs and its paired-t interval, 95% unless `level` says otherwise:
 * mean +- t(1 - (1 - level) / 2, n-1) * sd / sqrt(n).
 */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): PairedDifference {
  const d = a.map((x, i) => x - b[i]).filter((v) => !Number.isNaN(v));
  const n = d.length;
  const mean = n ? d.reduce((s, v) => s + v, 0) / n : Number.NaN;
  if (n < 2) return { n, mean, ci: [Number.NaN, Number.NaN] };
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const t = level === 0.95 ? t975(n - 1) : studentTQuantile(1 - (1 - level) / 2, n - 1);
  const half = t * sd / Math.sqrt(n);
  return { n, mean, ci: [mean - half, mean + half] };
}
