// The in-memory dataset every source produces and every paradigm consumes.
import type { InteractionType } from '../interactionTypes';
import type { NonfiniteCount } from './nonfinite';

export interface ModalityData {
  name: string;
  /** Shape of one sample's features, e.g. [32] for a vector. */
  shape: number[];
  /** Row-major [samples, ...shape]. */
  values: Float32Array;
}

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface Dataset {
  modalities: ModalityData[];
  /** Class index per sample, in [0, classNames.length); -1 throughout when `unlabelled`. */
  labels: Int32Array;
  /** New data read without labels (`dmil predict`, `decompose`): there is nothing to score against. */
  unlabelled?: boolean;
  classNames: string[];
  ids: string[];
  /** Interaction type per sample, where the source knows it (synthetic data). Never a model input. */
  types?: InteractionType[];
  /** A group per sample where the user names one (`data.group`). Never a model input. */
  groups?: string[];
  /** Split per sample: 0 train, 1 val, 2 test. */
  split: Uint8Array;
  /** NaN and infinite feature values the source replaced by 0 (`data.nonfinite: zero`), per modality. */
  nonfinite?: NonfiniteCount[];
  /** Samples the label transform removed before the split (`data.label_transform`). */
  dropped?: { count: number; why: string };
}

export const featureSize = (m: ModalityData): number => m.shape.reduce((a, b) => a * b, 1);
export const sampleCount = (d: Dataset): number => d.labels.length;

/** What commands that read a run can evaluate: a split, or every sample (new data). */
export const EVAL_SPLITS = [...SPLITS, 'all'] as const;
export type EvalSplit = (typeof EVAL_SPLITS)[number];

/** Sample indices of one split (or all samples), in sample order. */
export function splitIndices(d: Dataset, split: EvalSplit): Int32Array {
  if (split === 'all') return Int32Array.from(d.labels.keys());
  const code = SPLITS.indexOf(split);
  const out: number[] = [];
  for (let i = 0; i < d.split.length; i++) if (d.split[i] === code) out.push(i);
  return Int32Array.from(out);
}

/**
 * The dataset without the samples whose `keep` is false (every array and list filtered alike).
 * The features are moved up within their own arrays (a source's fresh dataset: no second copy of
 * a large file's features), so `d`'s arrays must not be used afterwards.
 */
export function keepSamples(d: Dataset, keep: readonly boolean[]): Dataset {
  const rows = keep.flatMap((k, i) => (k ? [i] : []));
  if (rows.length === keep.length) return d;
  const pick = <T>(xs: readonly T[]) => rows.map((i) => xs[i]);
  return {
    ...d,
    modalities: d.modalities.map((m) => {
      const f = m.values.length / keep.length;
      // Row k comes from row r >= k: copying in order never overwrites a row still to be moved.
      rows.forEach((r, k) => r !== k && m.values.copyWithin(k * f, r * f, r * f + f));
      return { ...m, values: m.values.subarray(0, rows.length * f) };
    }),
    labels: Int32Array.from(rows, (i) => d.labels[i]),
    ids: pick(d.ids),
    split: Uint8Array.from(rows, (i) => d.split[i]),
    ...(d.types ? { types: pick(d.types) } : {}),
    ...(d.groups ? { groups: pick(d.groups) } : {}),
  };
}
