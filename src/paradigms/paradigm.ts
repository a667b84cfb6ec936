// What a paradigm is: a model (named parameters), the stages that train it, and how it predicts.
// The training loop, run folders and evaluation only ever see this interface.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/schema';
import type { Dataset } from '../data/dataset';
import type { Params } from '../models/params';

export interface LossTerms {
  /** What the optimiser minimises. */
  total: tf.Scalar;
  /** Every term, for metrics.csv (the total is logged as "loss"). */
  terms: Record<string, tf.Scalar>;
  /**
   * Class probabilities of the prediction this stage trains, for the batch: what model selection
   * watches (its cross-entropy and accuracy). The final prediction, except in DMIL's
   * decompose-intra, whose prediction is the warm-up joint head.
   */
  probs: tf.Tensor2D;
  /**
   * Batch quantities the stage's step hooks read (`modulate`, `afterStep`), such as OGM-GE's
   * per-modality scores; constants to the optimiser, released after the step.
   */
  signals?: Record<string, tf.Tensor>;
}

/** Where a training step stands: the stage's step count, the epoch (from 0), the batch's dataset rows, and the turn of a stage with turns. */
export interface StepContext {
  step: number;
  epoch: number;
  rows: Int32Array;
  turn?: number;
}

export interface Stage {
  /** Stage name, used for checkpoints/<name>/ and the `stage` column of metrics.csv. */
  name: string;
  /** Names of the parameters this stage updates; everything else is frozen. */
  trainable: string[];
  /**
   * The loss of a batch. `step` counts this stage's training steps from 0 (resume-safe); a
   * stochastic model seeds its sampling noise with it. In eval mode (`training` false) a model
   * is deterministic.
   */
  loss(inputs: tf.Tensor2D[], labels: tf.Tensor1D, training: boolean, step: number, rows?: Int32Array, turn?: number): LossTerms;
  /**
   * Several optimiser steps on each batch, one per turn, in order: the parameters each turn trains
   * (MLA's modalities in turn). The loss gets the turn; a parameter outside a turn's list is left
   * exactly as it is by that turn's step, optimiser state included. Every list is within `trainable`.
   */
  turns?: string[][];
  /**
   * Rewrites a training step's gradients (by parameter name) before the optimiser applies them,
   * from the loss's signals: OGM-GE's modulation. Returns the gradients to apply.
   */
  modulate?(grads: Record<string, tf.Tensor>, signals: Record<string, tf.Tensor>, at: StepContext): Record<string, tf.Tensor>;
  /** After the optimiser's step: updates state that gradients do not train (QMF's loss history), from the loss's signals. */
  afterStep?(signals: Record<string, tf.Tensor>, at: StepContext): void;
  /** Before each training epoch: state recomputed from the training samples (PMR's class prototypes). */
  beforeEpoch?(data: Dataset, trainRows: Int32Array, epoch: number): Promise<void>;
  /** This stage's epochs, optimiser, schedule and early stopping, where they differ from `train`. */
  train?: TrainConfig;
  /** A second gradient step after each main step, on its own parameters with its own optimiser (e.g. CLUB's q network). */
  auxiliary?: { trainable: string[]; loss(inputs: tf.Tensor2D[], labels: tf.Tensor1D, step: number): tf.Scalar };
}

/**
 * What a model predicts for a batch: one record for every paradigm. Eval, decompose and the
 * synergy indicator read the parts a paradigm has, by name, without asking which paradigm it is.
 */
export interface Prediction {
  /** Final class probabilities [N, C]. */
  probs: tf.Tensor2D;
  /** The model's own unimodal predictors [N, C], by modality name (ensemble members, DMIL's M heads). */
  unimodal?: Record<string, tf.Tensor2D>;
  /** Interaction components' own class probabilities [N, C], by component name (R, U1, U2, S). */
  components?: Record<string, tf.Tensor2D>;
  /** Gate weights [N, components], columns in the order of `components`. */
  gate?: tf.Tensor2D;
  /** Each modality's weight in the fused prediction [N, K], in modality order, where a paradigm weighs them per sample (QMF's confidences). */
  modalityWeights?: tf.Tensor2D;
}

export interface ParadigmModel {
  paradigm: string;
  params: Params;
  stages: Stage[];
  /** Modality names the inputs must come in, in order. */
  modalities: string[];
  predict(inputs: tf.Tensor2D[]): Prediction;
  /**
   * Representations that are meant to carry no label information on their own (DMIL's N_m), by
   * name: eval measures how much they still carry with a fresh probe.
   */
  labelFreeRepresentations?(inputs: tf.Tensor2D[]): Record<string, tf.Tensor2D>;
  /**
   * For each label-free representation, under the same name, the full representation it was cut
   * from (DMIL's z_m for N_m): a probe of the same size on it is the ceiling the N probe is read
   * against.
   */
  probeCeilingRepresentations?(inputs: tf.Tensor2D[]): Record<string, tf.Tensor2D>;
}

export interface ModelSpec {
  /** Feature size per modality, in dataset order. */
  inputDims: number[];
  /** Shape of one sample per modality, e.g. [32] or [14, 28, 1]. */
  inputShapes: number[][];
  modalityNames: string[];
  classes: number;
  /** Share of each class in the training split (DMIL's prior-matching adversary). */
  classPrior?: number[];
  /** The dataset's row count and its training rows (per-sample training state, QMF's loss history). */
  rows?: { count: number; train: Int32Array };
}
