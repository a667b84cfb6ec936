// The one prediction record every paradigm's predictions become (experiment/predict.ts fills it):
// the samples, the final probabilities, and whichever named parts the paradigm predicts. Every
// reader (eval, decompose, predict, compare, report) takes this record.
import type { InteractionType } from '../interactionTypes';

export interface Predictions {
  /** The samples, in the order of every array below. */
  indices: Int32Array;
  ids: string[];
  /** -1 throughout when `unlabelled`. */
  labels: Int32Array;
  /** The data came without labels: predictions only, nothing to score against. */
  unlabelled?: boolean;
  /** Interaction type per sample, where the data knows it. */
  types?: InteractionType[];
  /** The user's group of each sample (`data.group`). */
  groups?: string[];
  classNames: string[];
  classes: number;
  /** p_train(y): the share of each class in the training split (for evidence in nats). */
  prior: number[];
  /** Final probabilities [n, classes] row-major. */
  probs: Float32Array;
  /** The model's own unimodal predictors [n, classes], by modality name. */
  unimodal?: Record<string, Float32Array>;
  /** Interaction components' probabilities [n, classes], by component name. */
  components?: Record<string, Float32Array>;
  /** Gate weights [n, components], columns in the order of `components`. */
  gate?: Float32Array;
}
