// Loss functions on logits, as pure tensor functions.
import * as tf from '@tensorflow/tfjs-core';

/** Cross-entropy of each sample's integer label under softmax(logits), [N]. */
export function perSampleCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.sum(tf.mul(onehot, logp), 1)) as tf.Tensor1D;
}

/** Mean cross-entropy of integer labels under softmax(logits). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(perSampleCrossEntropy(logits, labels)) as tf.Scalar;
}

/** Negative log-likelihood of each sample's label under given probabilities, [N]. */
export function perSampleNll(probs: tf.Tensor2D, labels: tf.Tensor1D, eps = 1e-7): tf.Tensor1D {
  const onehot = tf.oneHot(labels, probs.shape[1]);
  return tf.neg(tf.log(tf.add(tf.sum(tf.mul(onehot, probs), 1), eps))) as tf.Tensor1D;
}

/** Mean negative log-likelihood of labels under given probabilities (for mixtures of probabilities). */
export function nllOfProbs(probs: tf.Tensor2D, labels: tf.Tensor1D, eps = 1e-7): tf.Scalar {
  return tf.mean(perSampleNll(probs, labels, eps)) as tf.Scalar;
}
