// i2m2: inter- & intra-modality modelling (Madaan, Makino, Chopra, Cho, "Jointly Modeling Inter-
// & Intra-Modality Dependencies for Multi-modal Learning", NeurIPS 2024). The intra-modality
// classifiers q_m(y | x_m) (one backbone and linear head per modality) and the inter-modality
// classifier q(y | x_1..x_K) (backbones concatenated into an MLP head, dmil's `joint`) combine as a
// product of experts:
//   q(y | x) ∝ q(y | x_1..x_K) · Π_m q_m(y | x_m),
// that is log q = Σ log_softmax(logits) − logsumexp over the classes of that sum (the authors'
// code, training_structures/inter_and_intra_modality.py), trained by its cross-entropy. As in
// their code each classifier is first trained on its own (the intra ones, then the inter one),
// then all of them together through the product at a smaller learning rate (their AV-MNIST: 0.1,
// then 0.01).
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { backboneFor, buildEncoder } from '../models/backbone';
import { dense, mlp } from '../models/layers';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import type { ModelSpec, ParadigmModel, Stage } from './paradigm';

/** The product of experts of class logits [N, C] each: normalised log-probabilities [N, C]. */
export function productOfExperts(logits: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const sum = tf.addN(logits.map((l) => tf.logSoftmax(l))) as tf.Tensor2D;
    return tf.sub(sum, tf.logSumExp(sum, 1, true));
  });
}

export function buildI2m2(model: ModelOf<'i2m2'>, train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-i2m2');
  const intra = spec.modalityNames.map((name, m) => {
    const enc = buildEncoder(params, `i2m2.intra.${name}.encoder`, spec.inputShapes[m], backboneFor(model, name, spec.modalityNames), rng, name);
    const head = dense(params, `i2m2.intra.${name}.head`, enc.outDim, spec.classes, rng, 'linear');
    return (inputs: tf.Tensor2D[]) => head(enc.forward(inputs[m]));
  });
  const encoders = spec.modalityNames.map((name, m) => buildEncoder(params, `i2m2.inter.encoder.${name}`, spec.inputShapes[m], backboneFor(model, name, spec.modalityNames), rng, name));
  const interHead = mlp(params, 'i2m2.inter.head', encoders.reduce((s, e) => s + e.outDim, 0), [...model.head.hidden, spec.classes], rng, 'relu', 'linear');
  const inter = (inputs: tf.Tensor2D[]) => interHead(tf.concat(encoders.map((e, m) => e.forward(inputs[m])), 1));
  const fused = (inputs: tf.Tensor2D[]) => productOfExperts([...intra.map((f) => f(inputs)), inter(inputs)]);

  const own = (name: string, prefix: string, logits: (inputs: tf.Tensor2D[]) => tf.Tensor2D): Stage => ({
    name, trainable: params.names([prefix]),
    loss: (inputs, labels) => {
      const l = logits(inputs);
      return { total: crossEntropy(l, labels), terms: {}, probs: tf.softmax(l) as tf.Tensor2D };
    },
  });
  const pretrain = model.pretrain ? [...intra.map((f, m) => own(`intra-${spec.modalityNames[m]}`, `i2m2.intra.${spec.modalityNames[m]}`, f)), own('inter', 'i2m2.inter', inter)] : [];
  const product: Stage = {
    name: 'product',
    trainable: params.names(['i2m2']),
    // The log-probabilities are normalised: the cross-entropy of their softmax is -log q(y | x).
    loss: (inputs, labels) => {
      const logq = fused(inputs);
      return { total: crossEntropy(logq, labels), terms: {}, probs: tf.exp(logq) as tf.Tensor2D };
    },
    ...(model.pretrain ? { train: { ...train, optimizer: { ...train.optimizer, lr: train.optimizer.lr * model.product_lr } } } : {}),
  };
  return {
    paradigm: 'i2m2',
    params,
    modalities: spec.modalityNames,
    stages: [...pretrain, product],
    predict: (inputs) => ({
      probs: tf.exp(fused(inputs)) as tf.Tensor2D,
      unimodal: Object.fromEntries(intra.map((f, m) => [spec.modalityNames[m], tf.softmax(f(inputs)) as tf.Tensor2D])),
    }),
  };
}
