// Tensor building blocks of DMIL: stop-gradient, diagonal-Gaussian sampling and KL, fusion.
import * as tf from '@tensorflow/tfjs-core';

/** sg(x): the value of x, no gradient (tfjs-core has no stopGradient op). */
const stopGradientOp = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);
export const stopGradient = <T extends tf.Tensor>(x: T): T => stopGradientOp(x) as T;

export interface Gaussian {
  mean: tf.Tensor2D;
  /** Log-variance, clamped to [-8, 8]. */
  logVar: tf.Tensor2D;
}

/** Reparameterised sample mean + exp(logVar / 2) * eps, with eps given (from a seeded stream). */
export function sampleGaussian(g: Gaussian, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(g.mean, tf.mul(tf.exp(tf.mul(g.logVar, 0.5)), eps));
}

/** KL(N(mean, exp(logVar)) || N(0, I)), summed over dimensions, averaged over the batch. */
export function klToStandardNormal(g: Gaussian): tf.Scalar {
  const perDim = tf.mul(tf.sub(tf.add(tf.exp(g.logVar), tf.square(g.mean)), tf.add(1, g.logVar)), 0.5);
  return tf.mean(tf.sum(perDim, 1)) as tf.Scalar;
}

/** fuse(a, b) = [a, b, a * b, |a - b|]. */
export function fuse(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([a, b, tf.mul(a, b), tf.abs(tf.sub(a, b))], 1) as tf.Tensor2D;
}

/** The pairs i < j of K items, in order (0,1), (0,2), ..., (1,2), ... */
export function pairsOf(k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push([i, j]);
  return out;
}

/**
 * fuse_K(x_1 ... x_K) = [x_1, ..., x_K, then x_i * x_j and |x_i - x_j| for every pair i < j];
 * with two inputs exactly fuse(a, b).
 */
export function fuseAll(xs: readonly tf.Tensor2D[]): tf.Tensor2D {
  if (xs.length === 2) return fuse(xs[0], xs[1]);
  return tf.concat([...xs, ...pairsOf(xs.length).flatMap(([i, j]) => [tf.mul(xs[i], xs[j]), tf.abs(tf.sub(xs[i], xs[j]))])], 1) as tf.Tensor2D;
}

/** The sum of tensors of one shape: a + b for two (as the two-modality design adds them), addN otherwise. */
export function sumAll<T extends tf.Tensor>(xs: readonly T[]): T {
  return (xs.length === 2 ? tf.add(xs[0], xs[1]) : tf.addN([...xs])) as T;
}

/**
 * Rows scaled to unit L2 norm. The eps sits inside the square root: sqrt's gradient is infinite
 * at 0, and an all-zero row (dead ReLUs, zero bias) would otherwise turn every gradient into NaN.
 */
export function normaliseRows(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), eps)));
}

/** Mean squared error over all elements. */
export function mse(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b)) as tf.Scalar;
}
