// Classification metrics and the synergy indicator, as pure functions of predicted and true labels.
import { typeList, type InteractionType } from '../interactionTypes';

export function argmaxRows(probs: Float32Array, classes: number): Int32Array {
  const n = probs.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function accuracy(pred: Int32Array, labels: Int32Array): number {
  if (labels.length === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / labels.length;
}

/** Recall of each class; null for a class with no samples. */
export function perClassAccuracy(pred: Int32Array, labels: Int32Array, classes: number): (number | null)[] {
  const hit = new Array<number>(classes).fill(0);
  const total = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    total[labels[i]]++;
    if (pred[i] === labels[i]) hit[labels[i]]++;
  }
  return total.map((t, c) => (t === 0 ? null : hit[c] / t));
}

/** Counts [true class][predicted class]. */
export function confusionMatrix(pred: Int32Array, labels: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][pred[i]]++;
  return m;
}

/** Unweighted mean of per-class F1 over the classes that occur in the labels or the predictions. */
export function macroF1(pred: Int32Array, labels: Int32Array, classes: number): number {
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    if (pred[i] === labels[i]) tp[labels[i]]++;
    else {
      fp[pred[i]]++;
      fn[labels[i]]++;
    }
  }
  const f1s: number[] = [];
  for (let c = 0; c < classes; c++) {
    if (tp[c] + fp[c] + fn[c] === 0) continue;
    f1s.push((2 * tp[c]) / (2 * tp[c] + fp[c] + fn[c]));
  }
  return f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : Number.NaN;
}

/** Accuracy within each interaction type (R, U1 ... UK, S); null for a type with no samples. */
export function perTypeAccuracy(pred: Int32Array, labels: Int32Array, types: readonly InteractionType[]): Record<InteractionType, number | null> {
  const out = {} as Record<InteractionType, number | null>;
  for (const t of typeList(types)) {
    let hit = 0;
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      if (types[i] !== t) continue;
      total++;
      if (pred[i] === labels[i]) hit++;
    }
    out[t] = total === 0 ? null : hit / total;
  }
  return out;
}

/**
 * Syn = (1/N) sum_i 1[ y_hat_i = y_i and every unimodal prediction y_hat_i^(m) != y_i ]:
 * the share of samples the multimodal model gets right while every unimodal predictor is wrong.
 */
export function synergyIndicator(pred: Int32Array, unimodal: readonly Int32Array[], labels: Int32Array): number {
  if (labels.length === 0) return Number.NaN;
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (pred[i] === labels[i] && unimodal.every((u) => u[i] !== labels[i])) count++;
  }
  return count / labels.length;
}
