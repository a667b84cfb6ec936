// Per-feature standardisation with statistics from the training split only; the statistics are
// stored in the run so evaluation applies exactly the same transform.
import type { Dataset } from './dataset';
import { featureSize } from './dataset';

export interface FeatureStats {
  modality: string;
  mean: number[];
  std: number[];
}

export function fitStandardiser(d: Dataset): FeatureStats[] {
  const trainRows: number[] = [];
  d.split.forEach((s, i) => s === 0 && trainRows.push(i));
  return d.modalities.map((m) => {
    const f = featureSize(m);
    const mean = new Float64Array(f);
    const sq = new Float64Array(f);
    for (const i of trainRows) {
      for (let k = 0; k < f; k++) {
        const v = m.values[i * f + k];
        mean[k] += v;
        sq[k] += v * v;
      }
    }
    const n = Math.max(trainRows.length, 1);
    const std: number[] = [];
    for (let k = 0; k < f; k++) {
      mean[k] /= n;
      const variance = Math.max(sq[k] / n - mean[k] * mean[k], 0);
      std.push(variance > 1e-12 ? Math.sqrt(variance) : 1);
    }
    return { modality: m.name, mean: Array.from(mean), std };
  });
}

/** Returns a copy of the dataset with every modality standardised by `stats`. */
export function applyStandardiser(d: Dataset, stats: FeatureStats[]): Dataset {
  const modalities = d.modalities.map((m, mi) => {
    const s = stats[mi];
    const f = featureSize(m);
    if (!s || s.mean.length !== f) throw new Error(`normalisation statistics do not fit modality ${m.name}`);
    const values = new Float32Array(m.values.length);
    for (let i = 0; i < values.length; i++) {
      const k = i % f;
      values[i] = (m.values[i] - s.mean[k]) / s.std[k];
    }
    return { ...m, values };
  });
  return { ...d, modalities };
}
