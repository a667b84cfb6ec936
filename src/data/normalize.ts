// Standardisation with statistics from the training split only: per feature for vectors, per
// channel (the last axis) for images [H, W, C] and sequences [T, D]. The statistics are stored in
// the run so evaluation applies exactly the same transform.
import { UserError } from '../errors';
import type { Dataset } from './dataset';
import { featureSize } from './dataset';

export interface FeatureStats {
  modality: string;
  mean: number[];
  std: number[];
}

/** Number of separately standardised groups: every feature of a vector, every channel otherwise. */
const groupsOf = (shape: number[]): number => (shape.length === 1 ? shape[0] : shape[shape.length - 1]);

export function fitStandardiser(d: Dataset): FeatureStats[] {
  const trainRows: number[] = [];
  d.split.forEach((s, i) => s === 0 && trainRows.push(i));
  return d.modalities.map((m) => {
    const f = featureSize(m);
    const g = groupsOf(m.shape);
    const mean = new Float64Array(g);
    const sq = new Float64Array(g);
    for (const i of trainRows) {
      for (let k = 0; k < f; k++) {
        const v = m.values[i * f + k];
        mean[k % g] += v;
        sq[k % g] += v * v;
      }
    }
    const n = Math.max(trainRows.length * (f / g), 1);
    const std: number[] = [];
    for (let k = 0; k < g; k++) {
      mean[k] /= n;
      const variance = Math.max(sq[k] / n - mean[k] * mean[k], 0);
      std.push(variance > 1e-12 ? Math.sqrt(variance) : 1);
    }
    return { modality: m.name, mean: Array.from(mean), std };
  });
}

/** Returns a copy of the dataset with every modality standardised by `stats`. */
export function applyStandardiser(d: Dataset, stats: FeatureStats[]): Dataset {
  return standardiseInPlace({ ...d, modalities: d.modalities.map((m) => ({ ...m, values: m.values.slice() })) }, stats);
}

/**
 * Standardises every modality of `d` by `stats` in its own arrays (no second copy of the data: a
 * 1 GB benchmark file stays 1 GB in memory) and returns it; for a dataset nothing else holds.
 */
export function standardiseInPlace(d: Dataset, stats: FeatureStats[]): Dataset {
  d.modalities.forEach((m, mi) => {
    const s = stats[mi];
    const g = groupsOf(m.shape);
    if (!s || s.mean.length !== g) {
      throw new UserError(`modality ${m.name} has shape [${m.shape.join(', ')}], the run was trained on data with ${s?.mean.length ?? 0} feature groups`, { hint: 'evaluate on data with the same layout as the training data' });
    }
    const values = m.values;
    for (let i = 0; i < values.length; i++) {
      const k = i % g;
      values[i] = (values[i] - s.mean[k]) / s.std[k];
    }
  });
  return d;
}
