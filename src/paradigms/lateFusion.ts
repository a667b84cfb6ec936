// late-fusion: one backbone and linear head per modality, their logits summed with a learned
// weight per modality, softmax(a)_m, and trained end to end by one cross-entropy on the fused
// prediction. The per-modality heads are its unimodal predictors (synergy indicator); the
// learned weights say how much each modality counts.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { backboneFor, buildEncoder } from '../models/backbone';
import { dense } from '../models/layers';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import type { ModelSpec, ParadigmModel } from './paradigm';

export function buildLateFusion(model: ModelOf<'late-fusion'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-late-fusion');
  const heads = spec.modalityNames.map((name, m) => {
    const enc = buildEncoder(params, `late.${name}.encoder`, spec.inputShapes[m], backboneFor(model, name, spec.modalityNames), rng, name);
    const head = dense(params, `late.${name}.head`, enc.outDim, spec.classes, rng, 'linear');
    return (x: tf.Tensor2D) => head(enc.forward(x));
  });
  // Equal weights to start: softmax of zeros.
  const weights = params.add('late.weights', [spec.modalityNames.length], new Float32Array(spec.modalityNames.length));
  const forward = (inputs: tf.Tensor2D[]) => {
    const logits = heads.map((h, m) => h(inputs[m]));
    const w = tf.unstack(tf.softmax(weights));
    return { logits, fused: tf.addN(logits.map((l, m) => tf.mul(l, w[m]))) as tf.Tensor2D };
  };
  return {
    paradigm: 'late-fusion',
    params,
    modalities: spec.modalityNames,
    stages: [{
      name: 'train',
      trainable: params.names(['late']),
      loss: (inputs, labels) => {
        const { fused } = forward(inputs);
        return { total: crossEntropy(fused, labels), terms: {}, probs: tf.softmax(fused) as tf.Tensor2D };
      },
    }],
    predict: (inputs) => {
      const { logits, fused } = forward(inputs);
      return {
        probs: tf.softmax(fused) as tf.Tensor2D,
        unimodal: Object.fromEntries(logits.map((l, m) => [spec.modalityNames[m], tf.softmax(l) as tf.Tensor2D])),
      };
    },
  };
}
