// Non-finite feature values (NaN, +-inf) in a source's arrays: by default an error naming the
// modality, how many there are and where the first is; with `data.nonfinite: zero` they become 0,
// as MultiBench's loaders do with the -inf of CMU-MOSI's audio, and the counts go into data.json.
import type { NonfinitePolicy } from '../config/dataSchema';
import { UserError } from '../errors';

export interface NonfiniteCount {
  modality: string;
  nan: number;
  inf: number;
}

/** NaN and infinite values of `values`, and the index of the first (-1: none). */
export function countNonfinite(values: Float32Array): { nan: number; inf: number; first: number } {
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) continue;
    if (Number.isNaN(v)) nan++;
    else inf++;
    if (first < 0) first = i;
  }
  return { nan, inf, first };
}

/**
 * Applies the policy to one modality's values (in place for `zero`): undefined when every value is
 * finite, else the counts; `error` throws one line with the counts and `where(first index)`.
 */
export function applyNonfinite(values: Float32Array, modality: string, policy: NonfinitePolicy, where: (index: number) => string): NonfiniteCount | undefined {
  const { nan, inf, first } = countNonfinite(values);
  if (first < 0) return undefined;
  if (policy === 'error') {
    throw new UserError(`modality "${modality}" has ${nan} NaN and ${inf} infinite value${inf === 1 ? '' : 's'}; the first is ${values[first]}`, {
      where: where(first),
      hint: 'set data.nonfinite: zero to replace them with 0 (what MultiBench does), or impute them first',
    });
  }
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) values[i] = 0;
  return { modality, nan, inf };
}
