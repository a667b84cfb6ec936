// What a paradigm is: a model (named parameters), the stages that train it, and how it predicts.
// The training loop, run folders and evaluation only ever see this interface.
import type * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../models/params';

export interface LossTerms {
  /** What the optimiser minimises. */
  total: tf.Scalar;
  /** Every term, for metrics.csv (the total is logged as "loss"). */
  terms: Record<string, tf.Scalar>;
  /** The stage model's class probabilities for the batch, if computed anyway (train accuracy). */
  probs?: tf.Tensor2D;
}

export interface Stage {
  /** Stage name, used for checkpoints/<name>/ and the `stage` column of metrics.csv. */
  name: string;
  /** Names of the parameters this stage updates; everything else is frozen. */
  trainable: string[];
  loss(inputs: tf.Tensor2D[], labels: tf.Tensor1D, training: boolean): LossTerms;
  /** Class probabilities of the model this stage trains, for validation accuracy. */
  probs(inputs: tf.Tensor2D[]): tf.Tensor2D;
}

export interface Prediction {
  /** Final class probabilities [N, C]. */
  probs: tf.Tensor2D;
  /** One [N, C] per modality where the model has its own unimodal predictors (synergy indicator). */
  unimodal?: tf.Tensor2D[];
}

export interface ParadigmModel {
  paradigm: string;
  params: Params;
  stages: Stage[];
  /** Modality names the inputs must come in, in order. */
  modalities: string[];
  predict(inputs: tf.Tensor2D[]): Prediction;
}

export interface ModelSpec {
  /** Feature size per modality, in dataset order. */
  inputDims: number[];
  modalityNames: string[];
  classes: number;
}
