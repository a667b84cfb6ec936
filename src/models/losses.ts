// Loss functions on logits, as pure tensor functions.
import * as tf from '@tensorflow/tfjs-core';

/** Mean cross-entropy of integer labels under softmax(logits). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
}

/** Mean negative log-likelihood of labels under given probabilities (for mixtures of probabilities). */
export function nllOfProbs(probs: tf.Tensor2D, labels: tf.Tensor1D, eps = 1e-7): tf.Scalar {
  const onehot = tf.oneHot(labels, probs.shape[1]);
  return tf.neg(tf.mean(tf.log(tf.add(tf.sum(tf.mul(onehot, probs), 1), eps)))) as tf.Scalar;
}
