// Per-sample (pointwise) interaction scores from classifiers: a minimum-redundancy split of
// pointwise mutual information (ours; not LSMI's estimator, Yang, Wang, Hu, ICML 2025, whose
// redundancy is estimated differently). With p_hat the unimodal and joint classifiers'
// probabilities of the sample's label and p(y) the training prior, in nats,
//   i(x1; y) = log p_hat(y | x1) - log p(y),  i(x2; y) likewise,  i(x1, x2; y) with the joint one,
// and the decomposition i(x1; y) = r + u1, i(x2; y) = r + u2, i(x1, x2; y) = r + u1 + u2 + s with
// r = min(i(x1; y), i(x2; y)), the pointwise form of the minimum-mutual-information redundancy.
// Pointwise informations can be negative (a classifier that misleads on this sample), and so
// can r and s.

export interface PointwiseScores {
  i1: Float64Array;
  i2: Float64Array;
  i12: Float64Array;
  r: Float64Array;
  u1: Float64Array;
  u2: Float64Array;
  s: Float64Array;
}

/** Scores of the samples `indices`, given p(y|x1), p(y|x2), p(y|x1,x2) [n, C], labels and prior. */
export function pointwiseScores(p1: Float32Array, p2: Float32Array, p12: Float32Array, labels: ArrayLike<number>, prior: readonly number[], indices: Int32Array): PointwiseScores {
  const C = prior.length;
  const n = indices.length;
  const out: PointwiseScores = { i1: new Float64Array(n), i2: new Float64Array(n), i12: new Float64Array(n), r: new Float64Array(n), u1: new Float64Array(n), u2: new Float64Array(n), s: new Float64Array(n) };
  const info = (p: Float32Array, row: number, y: number) => Math.log(Math.max(p[row * C + y], 1e-12)) - Math.log(Math.max(prior[y], 1e-12));
  indices.forEach((row, k) => {
    const y = labels[row];
    const i1 = info(p1, row, y);
    const i2 = info(p2, row, y);
    const i12 = info(p12, row, y);
    const r = Math.min(i1, i2);
    out.i1[k] = i1;
    out.i2[k] = i2;
    out.i12[k] = i12;
    out.r[k] = r;
    out.u1[k] = i1 - r;
    out.u2[k] = i2 - r;
    out.s[k] = i12 - i1 - i2 + r;
  });
  return out;
}
