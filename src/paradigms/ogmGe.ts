// ogm-ge: on-the-fly gradient modulation with generalisation enhancement (Peng, Wei, Deng, Wang,
// Hu, "Balanced Multimodal Learning via On-the-fly Gradient Modulation", CVPR 2022), checked
// against the authors' code (GeWu-Lab/OGM-GE_CVPR2022, main.py, train_epoch).
//
// The network is theirs with `fusion_method concat` (concatLinear.ts): modality m's own output
// is out_m = W_m z_m + b / K and the fused logits are their sum (Sec. 3.2).
// Each step (Sec. 3.3):
//   s_m   = Σ_batch softmax(out_m)[y]                           (Eq. 8, the true-class score)
//   ρ_m   = s_m / s_other                                       (Eq. 9)
//   k_m   = 1 − tanh(α · ρ_m) if ρ_m > 1, else 1                (Eq. 10, as their code writes it)
//   g_m  ← k_m · g_m + ε,  ε ~ N(0, std(g_m)²)                   (Sec. 3.4, GE; per weight tensor)
// for every weight of modality m's encoder, during the epochs of `modulation_epochs`.
// (ours) With K > 2 modalities s_other is the mean of the other modalities' scores; with K = 2
// this is their ratio, except that a tie (ρ = 1) leaves both at 1 where their code damps one.
// (ours) Their code adds the noise to 4-D (convolution) weights only; dmil's encoders are also
// MLPs and GRUs, so it goes to every encoder weight of rank 2 or more, never to biases.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import { concatLinear } from './concatLinear';
import { meanOfOthers, trueClassScores } from './modalityScores';
import type { ModelSpec, ParadigmModel, StepContext } from './paradigm';

/** k_m = 1 − tanh(α ρ_m) where ρ_m = s_m / mean of the other scores exceeds 1, else 1: [K]. */
export function modulationCoefficients(scores: tf.Tensor1D, alpha: number): tf.Tensor1D {
  return tf.tidy(() => {
    const ratio = tf.div(scores, meanOfOthers(scores));
    const damped = tf.sub(1, tf.tanh(tf.mul(ratio, alpha)));
    return tf.where(tf.greater(ratio, 1), damped, tf.onesLike(damped)) as tf.Tensor1D;
  });
}

/** The GE noise: N(0, σ²) of `grad`'s shape, σ its (unbiased) standard deviation plus 1e-8, as torch's `grad.std()`. */
export function gradientNoise(grad: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const n = grad.size;
    const variance = tf.mul(tf.moments(grad).variance, n / Math.max(n - 1, 1));
    return tf.mul(tf.randomNormal(grad.shape, 0, 1, 'float32', seed), tf.add(tf.sqrt(variance), 1e-8));
  });
}

export function buildOgmGe(model: ModelOf<'ogm-ge'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-ogm-ge');
  const names = spec.modalityNames;
  const net = concatLinear(params, 'ogm', model, spec, rng);
  const [first, last] = model.modulation_epochs;
  const modulate = (grads: Record<string, tf.Tensor>, signals: Record<string, tf.Tensor>, at: StepContext) => {
    if (model.modulation === 'none' || at.epoch < first || at.epoch > last) return grads;
    const coeff = tf.unstack(signals.coeff);
    return Object.fromEntries(Object.entries(grads).map(([name, g], i) => {
      const m = net.encoderPrefix.findIndex((p) => name.startsWith(p));
      if (m < 0) return [name, g];
      const scaled = tf.mul(g, coeff[m]);
      const noisy = model.modulation === 'ogm-ge' && g.rank >= 2;
      return [name, noisy ? tf.add(scaled, gradientNoise(g, noiseSeed(seed, at.step, i))) : scaled];
    }));
  };
  return {
    paradigm: 'ogm-ge',
    params,
    modalities: names,
    stages: [{
      name: 'train',
      trainable: params.names(['ogm']),
      loss: (inputs, labels) => {
        const { outs, fused } = net.forward(inputs);
        const coeff = modulationCoefficients(trueClassScores(outs, labels), model.alpha);
        const parts = tf.unstack(coeff);
        return {
          total: crossEntropy(fused, labels),
          terms: Object.fromEntries(names.map((n, m) => [`coeff_${n}`, parts[m] as tf.Scalar])),
          probs: tf.softmax(fused) as tf.Tensor2D,
          signals: { coeff },
        };
      },
      modulate,
    }],
    predict: (inputs) => {
      const { outs, fused } = net.forward(inputs);
      return { probs: tf.softmax(fused) as tf.Tensor2D, unimodal: Object.fromEntries(outs.map((o, m) => [names[m], tf.softmax(o) as tf.Tensor2D])) };
    },
  };
}

/** A distinct 31-bit seed per (run seed, step, parameter), so the noise replays on resume. */
const noiseSeed = (seed: number, step: number, param: number): number => (((seed * 1_000_003) ^ (step * 8191 + param)) >>> 0) % 2147483647;
