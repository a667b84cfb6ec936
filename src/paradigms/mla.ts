// mla: multimodal learning by alternating unimodal adaptation (Zhang, Yoon, Bansal, Yao,
// "Multimodal Representation Learning by Alternating Unimodal Adaptation", CVPR 2024), checked
// against the authors' code (Cecile-hi/Multimodal-Learning-with-Alternating-Unimodal-Adaptation:
// main.py with --gs_flag --dynamic, utils/utils.py GSPlugin).
//
// One encoder per modality and one linear head h shared by all of them (Sec. 3.1). Every batch
// trains the modalities in turn, each with its own optimiser step on its encoder and the head:
//   L_m = CE(h(z_m), y)                                                   (Eq. 2)
// The head's weight gradient is projected to spare what earlier turns learned (Sec. 3.2, the
// gradient modification, an orthogonal weight modification): with r the batch mean of the
// turn's representations and P (the identity to start) kept across all steps,
//   k = P r,  P ← P − k kᵀ / (a + rᵀ k),  P ← P / ‖P‖_F,  ∇W ← P ∇W
//   a = 0.1^(1 + i / n)  for the i-th of the epoch's n batches              (their GSPlugin)
// skipped at the very first turn. The head's bias is not projected. At test time the modalities'
// outputs are fused by their prediction entropies (Sec. 3.3, Eq. 6-7):
//   w_m = exp(max_j H_j − H_m) / Σ_k exp(max_j H_j − H_k) = softmax_m(−H_m),  f = Σ_m w_m h(z_m)
// (ours) The entropies are per sample, H_m = −Σ_c p_m,c log p_m,c; the authors' code takes the
// entropy of a softmax over the batch dimension, one weight per batch, which makes a sample's
// prediction depend on the batch it is in.
// (ours) Adam's bias correction counts the stage's optimiser steps, every turn's together.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { UserError } from '../errors';
import { backboneFor, buildEncoder } from '../models/backbone';
import { dense } from '../models/layers';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import { predictionEntropy } from './modalityScores';
import type { ModelSpec, ParadigmModel, StepContext } from './paradigm';

/** w = softmax over modalities of −H_m, per sample: [N, K]. */
export function entropyWeights(logits: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.neg(tf.stack(logits.map(predictionEntropy), 1))) as tf.Tensor2D);
}

/** One update of the projection: k = P r, P − k kᵀ / (a + rᵀ k), scaled to Frobenius norm 1. `r` is [d, 1]. */
export function updateProjection(p: tf.Tensor2D, r: tf.Tensor2D, a: number): tf.Tensor2D {
  return tf.tidy(() => {
    const k = tf.matMul(p, r);
    const next = tf.sub(p, tf.div(tf.matMul(k, k, false, true), tf.add(a, tf.matMul(r, k, true, false))));
    return tf.div(next, tf.norm(next)) as tf.Tensor2D;
  });
}

/** The turn's head-weight gradient projected by P, after P (state `projection`) takes in the turn's mean representation. */
function headProjection(params: Params, projection: string, on: boolean, stepsPerEpoch: number) {
  return (grads: Record<string, tf.Tensor>, signals: Record<string, tf.Tensor>, at: StepContext) => {
    if (!on || (at.step === 0 && !at.turn)) return grads;
    const p = params.get(projection) as tf.Tensor2D;
    const next = updateProjection(p, signals.r as tf.Tensor2D, 0.1 ** (1 + (at.step % stepsPerEpoch) / stepsPerEpoch));
    params.get(projection).assign(next);
    return { ...grads, 'mla.head.w': tf.matMul(next, grads['mla.head.w'] as tf.Tensor2D) };
  };
}

export function buildMla(model: ModelOf<'mla'>, train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-mla');
  const names = spec.modalityNames;
  const encoders = names.map((name, m) => buildEncoder(params, `mla.encoder.${name}`, spec.inputShapes[m], backboneFor(model, name, names), rng, name));
  const d = encoders[0].outDim;
  if (encoders.some((e) => e.outDim !== d)) {
    throw new UserError(`mla shares one head across the modalities, so every representation must have one size; they are ${encoders.map((e, m) => `${names[m]} ${e.outDim}`).join(', ')}`, { hint: 'give every modality the same backbone out (model.backbone.out, without per-modality out in model.backbones)' });
  }
  const head = dense(params, 'mla.head', d, spec.classes, rng, 'linear');
  const projection = 'mla-state.projection';
  params.addState(projection, [d, d], Float32Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0)));
  const stepsPerEpoch = Math.max(1, Math.ceil((spec.rows?.train.length ?? 1) / train.batch_size));
  const forward = (inputs: tf.Tensor2D[]) => {
    const z = encoders.map((e, m) => e.forward(inputs[m]));
    return { z, logits: z.map((zm) => head(zm)) };
  };
  const fuse = (logits: tf.Tensor2D[]) => {
    const w = entropyWeights(logits);
    const parts = tf.unstack(w, 1);
    return { w, fused: tf.addN(logits.map((l, m) => tf.mul(l, tf.expandDims(parts[m], 1)))) as tf.Tensor2D };
  };

  const modulate = headProjection(params, projection, model.gradient_modification, stepsPerEpoch);

  return {
    paradigm: 'mla',
    params,
    modalities: names,
    stages: [{
      name: 'train',
      trainable: params.names(['mla']),
      turns: names.map((name) => [...params.names([`mla.encoder.${name}`]), ...params.names(['mla.head'])]),
      loss: (inputs, labels, training, _step, _rows, turn) => {
        const { z, logits } = forward(inputs);
        const ce = logits.map((l) => crossEntropy(l, labels));
        const { fused } = fuse(logits);
        const terms = Object.fromEntries(names.map((n, m) => [`ce_${n}`, ce[m]]));
        const probs = tf.softmax(fused) as tf.Tensor2D;
        if (turn === undefined) return { total: tf.addN(ce) as tf.Scalar, terms, probs };
        // The turn's own loss; its mean representation for the projection (a constant there).
        return { total: ce[turn], terms, probs, signals: training ? { r: tf.transpose(tf.mean(z[turn], 0, true)) as tf.Tensor } : undefined };
      },
      modulate,
    }],
    predict: (inputs) => {
      const { logits } = forward(inputs);
      const { w, fused } = fuse(logits);
      return {
        probs: tf.softmax(fused) as tf.Tensor2D,
        unimodal: Object.fromEntries(logits.map((l, m) => [names[m], tf.softmax(l) as tf.Tensor2D])),
        modalityWeights: w,
      };
    },
  };
}
