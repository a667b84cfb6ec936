// What the modality-balancing methods read from each modality's own prediction: its summed
// true-class probability over a batch (OGM-GE's and PMR's scores), each modality's score against
// the others', and the entropy of a prediction (MLA's fusion weights, PMR's regulariser).
import * as tf from '@tensorflow/tfjs-core';

/** s_m: the summed softmax probability of the true class, per modality: [K]. */
export function trueClassScores(logits: readonly tf.Tensor2D[], labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, logits[0].shape[1]);
    return tf.stack(logits.map((l) => tf.sum(tf.mul(tf.softmax(l), onehot)))) as tf.Tensor1D;
  });
}

/** For each modality, the mean of the other modalities' scores (with two, the other's): [K]. */
export const meanOfOthers = (scores: tf.Tensor1D): tf.Tensor1D => tf.tidy(() => tf.div(tf.sub(tf.sum(scores), scores), scores.shape[0] - 1));

/** Per-sample entropy of softmax(logits), in nats: [N]. */
export const predictionEntropy = (logits: tf.Tensor2D): tf.Tensor1D => tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.softmax(logits), tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
