// Penalties on the dependence between two batches of representations (DMIL's I(U_m; R) term).
import * as tf from '@tensorflow/tfjs-core';

/**
 * Squared Frobenius norm of the batch cross-covariance of u [N, a] and r [N, b]: zero in
 * expectation for independent inputs, growing with any linear dependence.
 */
export function crossCovariancePenalty(u: tf.Tensor2D, r: tf.Tensor2D): tf.Scalar {
  const n = u.shape[0];
  const uc = tf.sub(u, tf.mean(u, 0, true));
  const rc = tf.sub(r, tf.mean(r, 0, true));
  const cov = tf.div(tf.matMul(uc, rc, true, false), Math.max(n - 1, 1));
  return tf.sum(tf.square(cov)) as tf.Scalar;
}

/**
 * CLUB upper bound on I(U; R) (Cheng et al., ICML 2020) from a Gaussian q(r | u) with the given
 * mean and log-variance per sample: E_i[log q(r_i|u_i)] - E_i E_j[log q(r_j|u_i)]. The average
 * over all pairs is computed in closed form, E_j[(r_j - mu_i)^2] = Var(r) + (mean(r) - mu_i)^2,
 * so no [N, N] tensor is built.
 */
export function clubEstimate(mu: tf.Tensor2D, logVar: tf.Tensor2D, r: tf.Tensor2D): tf.Scalar {
  // square(sub()) rather than squaredDifference: tfjs 4.22's SquaredDifference gradient does not
  // reduce over broadcast dimensions ([1, k] against [N, k] fails).
  const invVar = tf.exp(tf.neg(logVar));
  const positive = tf.mul(tf.square(tf.sub(r, mu)), invVar);
  const rMean = tf.mean(r, 0, true);
  const rVar = tf.mean(tf.square(tf.sub(r, rMean)), 0, true);
  const negative = tf.mul(tf.add(rVar, tf.square(tf.sub(rMean, mu))), invVar);
  return tf.mul(tf.mean(tf.sum(tf.sub(negative, positive), 1)), 0.5) as tf.Scalar;
}

/** Negative log-likelihood of r under q(r | u) = N(mu, exp(logVar)), for fitting the CLUB network. */
export function gaussianNll(mu: tf.Tensor2D, logVar: tf.Tensor2D, r: tf.Tensor2D): tf.Scalar {
  const perDim = tf.add(logVar, tf.mul(tf.squaredDifference(r, mu), tf.exp(tf.neg(logVar))));
  return tf.mul(tf.mean(tf.sum(perDim, 1)), 0.5) as tf.Scalar;
}
