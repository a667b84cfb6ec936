// k-means (k-means++ seeding, Lloyd iterations): how the exact PID estimator turns a continuous
// modality into clusters (discretise.ts prepares the features it runs on).
import { Rng } from '../rng';

/** Cluster index of each of the n rows of `x` (n x d, row-major), from k centres fitted on `fitRows`. */
export function kmeans(x: Float64Array, n: number, d: number, k: number, rng: Rng, fitRows?: Int32Array, maxIterations = 100): Int32Array {
  const rows = fitRows ?? Int32Array.from({ length: n }, (_, i) => i);
  const centres = seed(x, d, rows, Math.min(k, rows.length), rng);
  const kk = centres.length / d;
  const assign = new Int32Array(rows.length).fill(-1);
  for (let it = 0; it < maxIterations; it++) {
    let changed = 0;
    rows.forEach((r, i) => {
      const c = nearest(x, r, d, centres, kk);
      if (c !== assign[i]) changed++;
      assign[i] = c;
    });
    const sums = new Float64Array(kk * d);
    const counts = new Int32Array(kk);
    rows.forEach((r, i) => {
      counts[assign[i]]++;
      for (let j = 0; j < d; j++) sums[assign[i] * d + j] += x[r * d + j];
    });
    for (let c = 0; c < kk; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / counts[c];
    if (changed === 0) break;
  }
  return Int32Array.from({ length: n }, (_, r) => nearest(x, r, d, centres, kk));
}

function dist2(x: Float64Array, r: number, d: number, centres: Float64Array, c: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (x[r * d + j] - centres[c * d + j]) ** 2;
  return s;
}

function nearest(x: Float64Array, r: number, d: number, centres: Float64Array, k: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const v = dist2(x, r, d, centres, c);
    if (v < bestD) [best, bestD] = [c, v];
  }
  return best;
}

/** k-means++: each next centre drawn with probability proportional to its squared distance from the chosen ones. */
function seed(x: Float64Array, d: number, rows: Int32Array, k: number, rng: Rng): Float64Array {
  const centres = new Float64Array(k * d);
  const first = rows[rng.int(rows.length)];
  centres.set(x.subarray(first * d, first * d + d), 0);
  const best = Float64Array.from(rows, (r) => dist2(x, r, d, centres, 0));
  for (let c = 1; c < k; c++) {
    const total = best.reduce((a, b) => a + b, 0);
    let pick = rows.length - 1;
    if (total > 0) {
      let u = rng.uniform() * total;
      for (let i = 0; i < rows.length; i++) {
        u -= best[i];
        if (u <= 0) {
          pick = i;
          break;
        }
      }
    } else pick = rng.int(rows.length);
    const r = rows[pick];
    centres.set(x.subarray(r * d, r * d + d), c * d);
    rows.forEach((rr, i) => (best[i] = Math.min(best[i], dist2(x, rr, d, centres, c))));
  }
  return centres;
}
