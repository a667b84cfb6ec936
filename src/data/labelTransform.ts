// Label transforms for regression benchmarks (CMU-MOSI and -MOSEI give sentiment in [-3, 3]):
//   binary: class 1 when the label is above the threshold, else 0; with drop_equal, labels equal to
//           the threshold are dropped (MOSI's "non-zero" protocol: the neutral samples go);
//   bins:   the label rounded (ties to even, as numpy) and clipped to [low, high], one class per
//           integer (7-class MOSI).
// Dropped samples are in no split; the run's data.json and every evaluation say how many.
import type { LabelTransform } from '../config/dataSchema';
import { UserError } from '../errors';

/** Samples a label transform removed, and why. */
export interface DroppedSamples {
  count: number;
  why: string;
}

/** The class name of each label (null: dropped). */
export function transformLabels(values: ArrayLike<number>, t: LabelTransform, where: (i: number) => string): (string | null)[] {
  return Array.from(values, (v, i) => {
    if (!Number.isFinite(v)) throw new UserError(`label ${v} is not a finite number`, { where: where(i), hint: 'a label transform needs numeric labels; drop or fix this sample' });
    if (t.type === 'binary') {
      if (t.drop_equal && v === t.threshold) return null;
      return v > t.threshold ? '1' : '0';
    }
    return String(Math.min(t.high, Math.max(t.low, roundHalfEven(v))));
  });
}

/** The nearest integer, ties to the even one, as numpy's round (which the benchmarks' loaders use). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff !== 0.5) return diff < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

export function describeDrop(t: LabelTransform): string {
  return t.type === 'binary' ? `label equal to ${t.threshold} (label_transform binary, drop_equal)` : '';
}
