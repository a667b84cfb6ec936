// The network OGM-GE and PMR train (their authors' `fusion_method concat`): one encoder per
// modality, the representations concatenated into one linear layer. Its weight splits by
// modality, so modality m's own output is out_m = W_m z_m + b / K, and the fused logits are
// their sum: the per-modality outputs both methods read their modality scores from.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../config/schema';
import { backboneFor, buildEncoder } from '../models/backbone';
import type { Params } from '../models/params';
import type { Rng } from '../rng';
import type { ModelSpec } from './paradigm';

export interface ConcatLinear {
  /** Parameter-name prefix of modality m's encoder (with the trailing dot). */
  encoderPrefix: string[];
  /** Size of each modality's representation z_m. */
  outDims: number[];
  forward(inputs: tf.Tensor2D[]): { z: tf.Tensor2D[]; outs: tf.Tensor2D[]; fused: tf.Tensor2D };
}

export function concatLinear(params: Params, prefix: string, model: ModelConfig, spec: ModelSpec, rng: Rng): ConcatLinear {
  const names = spec.modalityNames;
  const encoders = names.map((name, m) => buildEncoder(params, `${prefix}.encoder.${name}`, spec.inputShapes[m], backboneFor(model, name, names), rng, name));
  const total = encoders.reduce((s, e) => s + e.outDim, 0);
  // One layer on [z_1, ..., z_K], initialised as one (fan-in: the concatenation).
  const w = params.weight(`${prefix}.fusion.w`, [total, spec.classes], 'linear', rng);
  const b = params.bias(`${prefix}.fusion.b`, spec.classes, total, rng);
  const offsets = encoders.map((_, m) => encoders.slice(0, m).reduce((s, e) => s + e.outDim, 0));
  return {
    encoderPrefix: names.map((name) => `${prefix}.encoder.${name}.`),
    outDims: encoders.map((e) => e.outDim),
    forward: (inputs) => {
      const z = encoders.map((e, m) => e.forward(inputs[m]));
      const outs = z.map((zm, m) => tf.add(tf.matMul(zm, tf.slice(w, [offsets[m], 0], [zm.shape[1], spec.classes])), tf.div(b, names.length)) as tf.Tensor2D);
      return { z, outs, fused: tf.addN(outs) as tf.Tensor2D };
    },
  };
}
