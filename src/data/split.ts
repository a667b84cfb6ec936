// Stratified train/val/test split: every class is divided in the same proportions, so a small
// validation split still sees every class. Pure function of the labels, shares and rng.
import type { Rng } from '../rng';

export function stratifiedSplit(labels: Int32Array, classes: number, val: number, test: number, rng: Rng): Uint8Array {
  const split = new Uint8Array(labels.length);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((y, i) => byClass[y].push(i));
  for (const members of byClass) {
    rng.shuffle(members);
    const nTest = Math.round(members.length * test);
    const nVal = Math.round(members.length * val);
    members.forEach((idx, k) => {
      split[idx] = k < nTest ? 2 : k < nTest + nVal ? 1 : 0;
    });
  }
  return split;
}
