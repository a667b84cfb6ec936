// qmf: quality-aware multimodal fusion (Zhang, Wu, Yang, Hu, Zhao, Zhang, "Provable Dynamic Fusion
// for Low-Quality Multimodal Data", ICML 2023), as the authors' text-image code writes it
// (QingyangZhang/QMF: text-image-classification/train_qmf.py and src/models/late_fusion.py with
// --df; their RGB-D script differs where noted).
//
// One encoder and linear classifier per modality. Each modality's confidence is its negative
// energy, scaled (Sec. 4, the energy score as the uncertainty estimate):
//   w_m(x) = confidence_scale · logsumexp_c f_m(x)_c          (their code: energy / 10)
// and the prediction is the dynamic late fusion Σ_m w_m(x) f_m(x) (Eq. 9), the weights held
// constant (`.detach()`; the RGB-D script lets gradients through them). The loss (Eq. 11):
//   Σ_m CE(f_m) + CE(Σ_m w_m f_m) + rank_weight · Σ_m L_rank,m
// where L_rank,m is the margin ranking loss of w_m between each sample and the next in the batch,
// against the ranking of their history: each training sample's summed cross-entropy of f_m over
// every step it was in (their `History.correctness`, which holds losses), min-max normalised over
// the training samples. A sample that has been classified worse must not be more confident than
// its neighbour by more than the margin |c_i − c_j|. The ranking reads the history before the
// step's losses are added, as in their RGB-D script (train_qmf.py adds them first); so the
// history is a constant to the gradients.
// (ours) When every history value is equal (min = max, as at the first step) the normalised
// history is 0, no ranking; their code divides 0 by 0 there.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { backboneFor, buildEncoder } from '../models/backbone';
import { dense } from '../models/layers';
import { crossEntropy, perSampleCrossEntropy } from '../models/losses';
import { stopGradient } from '../models/ops';
import { Params } from '../models/params';
import { Rng } from '../rng';
import type { LossTerms, ModelSpec, ParadigmModel } from './paradigm';

/** w = scale · logsumexp over classes: [N]. */
export const energyConfidence = (logits: tf.Tensor2D, scale: number): tf.Tensor1D => tf.tidy(() => tf.mul(tf.logSumExp(logits, 1), scale));

/**
 * The ranking loss of confidences `conf` [B] against normalised histories `history` [B] (both in
 * batch order), each sample paired with the next (the last with the first): the mean over pairs
 * of max(0, t (w_i − w_j − |h_i − h_j| / t)), t = sign(h_i − h_j) (torch's MarginRankingLoss
 * with target −t and margin 0; t = 0 gives 0).
 */
export function rankingLoss(conf: tf.Tensor1D, history: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const n = conf.shape[0];
    const roll = (t: tf.Tensor1D) => tf.concat([t.slice(1, n - 1), t.slice(0, 1)]);
    const diff = tf.sub(history, roll(history));
    const target = tf.sign(diff);
    const margin = tf.abs(diff);
    const divisor = tf.where(tf.equal(target, 0), tf.onesLike(target), target);
    const other = tf.add(roll(conf), tf.div(margin, divisor));
    return tf.mean(tf.relu(tf.mul(target, tf.sub(conf, other)))) as tf.Scalar;
  });
}

/** (h − min) / (max − min) over the training rows' entries, of the whole history [rows]; 0 where max = min. */
export function normaliseHistory(history: tf.Tensor1D, trainMask: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const big = tf.fill(history.shape, 3e38);
    const min = tf.min(tf.where(tf.cast(trainMask, 'bool'), history, big));
    const max = tf.max(tf.where(tf.cast(trainMask, 'bool'), history, tf.neg(big)));
    const range = tf.sub(max, min);
    return tf.where(tf.greater(range, 0), tf.div(tf.sub(history, min), tf.maximum(range, 1e-30)), tf.zerosLike(history)) as tf.Tensor1D;
  });
}

type Forward = (inputs: tf.Tensor2D[]) => { logits: tf.Tensor2D[]; weights: tf.Tensor1D[]; fused: tf.Tensor2D };

/**
 * Σ_m CE(f_m) + CE(fused), plus in training (`trainMask` given) rank_weight · Σ_m L_rank,m against
 * each modality's history; the step's per-sample losses go out as signals, for afterStep.
 */
function qmfLoss(
  at: { model: ModelOf<'qmf'>; names: string[]; forward: Forward; history: (name: string) => tf.Tensor1D; historyName: (name: string) => string; trainMask?: Float32Array },
  inputs: tf.Tensor2D[], labels: tf.Tensor1D, rows?: Int32Array,
): LossTerms {
  const { names } = at;
  const { logits, weights, fused } = at.forward(inputs);
  const ce = logits.map((l) => crossEntropy(l, labels));
  const terms: Record<string, tf.Scalar> = Object.fromEntries(names.map((n, m) => [`ce_${n}`, ce[m]]));
  let total = tf.add(tf.addN(ce), crossEntropy(fused, labels)) as tf.Scalar;
  const signals: Record<string, tf.Tensor> = {};
  if (at.trainMask && rows) {
    const batchRows = tf.tensor1d(Int32Array.from(rows), 'int32');
    const mask = tf.tensor1d(at.trainMask);
    const rank = names.map((name, m) => {
      signals[at.historyName(name)] = stopGradient(perSampleCrossEntropy(logits[m], labels));
      return rankingLoss(weights[m], tf.gather(normaliseHistory(at.history(name), mask), batchRows) as tf.Tensor1D);
    });
    names.forEach((n, m) => (terms[`rank_${n}`] = rank[m]));
    total = tf.add(total, tf.mul(tf.addN(rank), at.model.rank_weight));
  } else {
    names.forEach((n) => (terms[`rank_${n}`] = tf.scalar(0)));
  }
  return { total, terms, probs: tf.softmax(fused) as tf.Tensor2D, signals };
}

export function buildQmf(model: ModelOf<'qmf'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-qmf');
  const names = spec.modalityNames;
  const heads = names.map((name, m) => {
    const enc = buildEncoder(params, `qmf.${name}.encoder`, spec.inputShapes[m], backboneFor(model, name, names), rng, name);
    const head = dense(params, `qmf.${name}.head`, enc.outDim, spec.classes, rng, 'linear');
    return (x: tf.Tensor2D) => head(enc.forward(x));
  });
  const rowCount = spec.rows?.count ?? 0;
  const historyName = (name: string) => `qmf-state.history.${name}`;
  for (const name of names) params.addState(historyName(name), [rowCount]);
  const trainMask = new Float32Array(rowCount);
  spec.rows?.train.forEach((r) => (trainMask[r] = 1));

  const forward: Forward = (inputs) => {
    const logits = heads.map((h, m) => h(inputs[m]));
    const weights = logits.map((l) => energyConfidence(l, model.confidence_scale));
    const fused = tf.addN(logits.map((l, m) => tf.mul(l, tf.expandDims(stopGradient(weights[m]), 1)))) as tf.Tensor2D;
    return { logits, weights, fused };
  };
  return {
    paradigm: 'qmf',
    params,
    modalities: names,
    stages: [{
      name: 'train',
      trainable: params.names(['qmf']),
      loss: (inputs, labels, training, _step, rows) => qmfLoss({ model, names, forward, history: (name) => params.get(historyName(name)) as tf.Tensor1D, historyName, trainMask: training && rows && rowCount > 0 ? trainMask : undefined }, inputs, labels, rows),
      // The step's per-sample losses added to the rows of the batch (rows are distinct within a batch).
      afterStep: (signals, at) => {
        const rows = tf.tensor2d(at.rows, [at.rows.length, 1], 'int32');
        for (const [name, losses] of Object.entries(signals)) params.get(name).assign(tf.add(params.get(name), tf.scatterND(rows, losses, [rowCount])));
      },
    }],
    predict: (inputs) => {
      const { logits, weights, fused } = forward(inputs);
      return {
        probs: tf.softmax(fused) as tf.Tensor2D,
        unimodal: Object.fromEntries(logits.map((l, m) => [names[m], tf.softmax(l) as tf.Tensor2D])),
        modalityWeights: tf.stack(weights, 1) as tf.Tensor2D,
      };
    },
  };
}
