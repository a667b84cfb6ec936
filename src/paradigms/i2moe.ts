// i2moe: interpretable multimodal interaction-aware mixture of experts (Xin, Yun, Peng, Choi,
// Ballard, Chen, Long, "I2MoE: Interpretable Multimodal Interaction-aware Mixture-of-Experts",
// ICML 2025), checked against the authors' code (Raina-Xin/I2MoE: src/imoe/InteractionMoE.py,
// src/imoe/imoe_train.py).
//
// One encoder per modality (shared); K + 2 interaction experts, each its own copy of the fusion
// model (here joint's head on [z_1, ..., z_K]): a uniqueness expert per modality, a synergy expert
// and a redundancy expert (Sec. 3.1). Each expert also runs with modality i's representation
// replaced by a standard-normal vector, once per i, and weak supervision from those passes
// defines its interaction (Sec. 3.2, with f the expert's logits, f_∖i with modality i replaced):
//   uniqueness of m:  mean over i ≠ m of TripletMargin(anchor f, positive f_∖i, negative f_∖m)
//   synergy:          mean over i of mean cos(f, f_∖i)          (minimised: every modality matters)
//   redundancy:       mean over i of mean (1 − cos(f, f_∖i))    (minimised: any modality suffices)
// The reweighting model (a linear layer on [z_1, ..., z_K], softmax with a temperature) gives
// per-sample weights w_e of the experts, and the prediction is Σ_e w_e f_e (Sec. 3.3). The loss:
//   CE(Σ_e w_e f_e) + interaction_weight · (Σ of the K + 2 interaction losses) / (K + 2)
// The weights are I2MoE's interaction scores: `decompose` writes them as the gate over the
// components R, U_<m>, S (the experts' own predictions), as it does DMIL's.
// (ours) The interaction losses are computed in training only; validation reads the prediction.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { componentName, interactionTypes } from '../interactionTypes';
import { backboneFor, buildEncoder } from '../models/backbone';
import { mlp } from '../models/layers';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import type { ModelSpec, ParadigmModel } from './paradigm';

/** torch's TripletMarginLoss(margin, p = 2, eps = 1e-7): mean of max(0, ‖a − p + eps‖ − ‖a − n + eps‖ + margin). */
export function tripletLoss(anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, margin = 1): tf.Scalar {
  return tf.tidy(() => {
    const dist = (x: tf.Tensor2D) => tf.sqrt(tf.sum(tf.square(tf.add(tf.sub(anchor, x), 1e-7)), 1));
    return tf.mean(tf.relu(tf.add(tf.sub(dist(positive), dist(negative)), margin))) as tf.Scalar;
  });
}

/** Row-wise cosine similarity of two [N, C] tensors (each row scaled to norm 1, norms floored at 1e-12 as F.normalize): [N]. */
export function cosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 2, 1, true), 1e-12));
    return tf.sum(tf.mul(unit(a), unit(b)), 1) as tf.Tensor1D;
  });
}

/** The interaction losses of the K + 2 experts, from each one's logits with every modality present (`full`) and with modality i replaced (`replaced[i]`). */
export function interactionLosses(experts: { full: tf.Tensor2D; replaced: tf.Tensor2D[] }[]): tf.Scalar[] {
  return tf.tidy(() => {
    const k = experts.length - 2;
    const uniqueness = experts.slice(0, k).map(({ full, replaced }, m) => {
      const positives = replaced.filter((_, i) => i !== m);
      return tf.div(tf.addN(positives.map((p) => tripletLoss(full, p, replaced[m]))), positives.length) as tf.Scalar;
    });
    const synergy = experts[k];
    const redundancy = experts[k + 1];
    const meanCos = (e: { full: tf.Tensor2D; replaced: tf.Tensor2D[] }, f: (c: tf.Tensor1D) => tf.Tensor) => tf.div(tf.addN(e.replaced.map((r) => tf.mean(f(cosine(e.full, r))))), e.replaced.length) as tf.Scalar;
    return [...uniqueness, meanCos(synergy, (c) => c), meanCos(redundancy, (c) => tf.sub(1, c))];
  });
}

export function buildI2moe(model: ModelOf<'i2moe'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-i2moe');
  const names = spec.modalityNames;
  const k = names.length;
  const encoders = names.map((name, m) => buildEncoder(params, `i2moe.encoder.${name}`, spec.inputShapes[m], backboneFor(model, name, names), rng, name));
  const width = encoders.reduce((s, e) => s + e.outDim, 0);
  // Experts in the authors' order: uniqueness 1..K, synergy, redundancy.
  const expertNames = [...names.map((n) => `uniqueness-${n}`), 'synergy', 'redundancy'];
  const experts = expertNames.map((e) => mlp(params, `i2moe.expert.${e}`, width, [...model.head.hidden, spec.classes], rng, 'relu', 'linear'));
  const reweight = mlp(params, 'i2moe.reweight', width, [...model.reweight.hidden, k + 2], rng, 'relu', 'linear');
  // dmil's component order (R, U_1..U_K, S) and each one's expert.
  const components = interactionTypes(k).map((t) => componentName(t, names));
  const expertOf = interactionTypes(k).map((t) => (t === 'R' ? k + 1 : t === 'S' ? k : Number(t.slice(1)) - 1));

  const encode = (inputs: tf.Tensor2D[]) => encoders.map((e, m) => e.forward(inputs[m]));
  const mixture = (z: tf.Tensor2D[]) => {
    const joined = tf.concat(z, 1);
    const logits = experts.map((f) => f(joined));
    const weights = tf.softmax(tf.div(reweight(joined), model.reweight.temperature)) as tf.Tensor2D;
    const fused = tf.sum(tf.mul(tf.stack(logits, 1), tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
    return { joined, logits, weights, fused };
  };

  return {
    paradigm: 'i2moe',
    params,
    modalities: names,
    stages: [{
      name: 'train',
      trainable: params.names(['i2moe']),
      loss: (inputs, labels, training, step) => {
        const z = encode(inputs);
        const { logits, fused } = mixture(z);
        const task = crossEntropy(fused, labels);
        const terms: Record<string, tf.Scalar> = { task_ce: task };
        if (!training) {
          expertNames.forEach((e) => (terms[`interaction_${e}`] = tf.scalar(0)));
          return { total: task, terms, probs: tf.softmax(fused) as tf.Tensor2D };
        }
        // Modality i's representation replaced by N(0, 1), fresh each step (seeded by it).
        const withReplaced = z.map((_, i) => tf.concat(z.map((zm, m) => (m === i ? (tf.randomNormal(zm.shape, 0, 1, 'float32', seed * 7919 + step * 31 + i) as tf.Tensor2D) : zm)), 1));
        const losses = interactionLosses(experts.map((f, e) => ({ full: logits[e], replaced: withReplaced.map((x) => f(x)) })));
        expertNames.forEach((e, i) => (terms[`interaction_${e}`] = losses[i]));
        const interaction = tf.div(tf.addN(losses), k + 2);
        return { total: tf.add(task, tf.mul(interaction, model.interaction_weight)) as tf.Scalar, terms, probs: tf.softmax(fused) as tf.Tensor2D };
      },
    }],
    predict: (inputs) => {
      const { logits, weights, fused } = mixture(encode(inputs));
      const columns = tf.unstack(weights, 1);
      return {
        probs: tf.softmax(fused) as tf.Tensor2D,
        components: Object.fromEntries(components.map((c, i) => [c, tf.softmax(logits[expertOf[i]]) as tf.Tensor2D])),
        gate: tf.stack(expertOf.map((e) => columns[e]), 1) as tf.Tensor2D,
      };
    },
  };
}
