// pmr: prototypical modal rebalance (Fan, Xu, Wang, Wang, Jiang, "PMR: Prototypical Modal
// Rebalance for Multimodal Learning", CVPR 2023), checked against the authors' code
// (fanyunfeng-bit/Modal-Imbalance-PMR, main_Prototype_grad.py).
//
// The network is their `concat` one (concatLinear.ts). Class prototypes per modality, c_m,k, are
// the mean representation z_m of class k's training samples (Sec. 3.2, Eq. 4): computed before
// the first epoch and after every epoch, from a share of the training samples (their code: the
// first tenth of the shuffled batches), each time blended with the previous ones,
// c ← (1 − momentum) c_new + momentum c_old (their `momentum_coef`). The prototype classifier is
// p_m(k | x) = softmax_k(−‖z_m − c_m,k‖) (Eq. 5), and each step (Sec. 3.3):
//   s_m = Σ_batch p_m(y | x),  ρ = s_1 / s_2                          (Eq. 6)
//   β_m = α for the modality behind (ρ_m < 1), 0 for the one ahead  (Eq. 8, as their code)
//   L   = CE(fused) + Σ_m β_m CE(p_m)                               (Eq. 9, PCE)
// in the epochs of `modulation_epochs`. The paper also regularises the leading modality with the
// entropy of its prototype classifier early in training (prototypical entropy regularisation):
//   L −= entropy_weight · mean H(p_lead)   for epochs < entropy_epochs
// (ours) The authors' public code has no such term and its weight could not be read here, so it is
// off by default (entropy_weight 0).
// (ours) With K > 2 modalities ρ_m is s_m over the mean of the others' scores; β_m = α where
// ρ_m < 1, and the entropy term goes to every modality with ρ_m > 1.
// (ours) A class with no sample among the rows used keeps its previous prototype.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import { concatLinear, type ConcatLinear } from './concatLinear';
import { meanOfOthers, predictionEntropy, trueClassScores } from './modalityScores';
import type { LossTerms, ModelSpec, ParadigmModel } from './paradigm';

/** Per-class sums of the rows of `z` [N, d] and the class counts: [C, d] and [C]. */
export function classSums(z: tf.Tensor2D, labels: tf.Tensor1D, classes: number): { sums: tf.Tensor2D; counts: tf.Tensor1D } {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, classes).toFloat() as tf.Tensor2D;
    return { sums: tf.matMul(onehot, z, true, false), counts: tf.sum(onehot, 0) as tf.Tensor1D };
  });
}

/** −‖z − c_k‖ for every row of z [N, d] and prototype c [C, d]: [N, C]. */
export function negativeDistances(z: tf.Tensor2D, prototypes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(tf.sub(tf.expandDims(z, 1), tf.expandDims(prototypes, 0))), 2);
    // sqrt has an infinite derivative at 0: a representation exactly on its prototype gets a zero gradient there instead.
    return tf.neg(tf.sqrt(tf.maximum(sq, 1e-12))) as tf.Tensor2D;
  });
}

/**
 * β_m: α for each modality whose score is below the mean of the others', else 0: [K]. Written as
 * α relu(sign(mean others − s_m)), ops with (zero) gradients, since it multiplies a loss term and
 * tfjs's comparisons have no gradient at all.
 */
export function rebalanceWeights(scores: tf.Tensor1D, alpha: number): tf.Tensor1D {
  return tf.tidy(() => {
    const others = meanOfOthers(scores);
    return tf.mul(tf.relu(tf.sign(tf.sub(others, scores))), alpha) as tf.Tensor1D;
  });
}

/** Per-class sums and counts of each modality's representation over `rows`, read in batches of `batchSize`. */
async function representationSums(data: Dataset, rows: Int32Array, batchSize: number, classes: number, represent: (inputs: tf.Tensor2D[]) => tf.Tensor2D[]): Promise<{ sums: tf.Tensor2D; counts: tf.Tensor1D }[]> {
  let acc: { sums: tf.Tensor2D; counts: tf.Tensor1D }[] = [];
  for (const idx of chunks(rows, batchSize)) {
    const batch = makeBatch(data, idx);
    const next = tf.tidy(() => represent(batch.inputs).map((zm, m) => {
      const part = classSums(zm, batch.labels, classes);
      return acc[m] ? { sums: tf.add(acc[m].sums, part.sums) as tf.Tensor2D, counts: tf.add(acc[m].counts, part.counts) as tf.Tensor1D } : part;
    }));
    acc.forEach((a) => tf.dispose([a.sums, a.counts]));
    acc = next;
    disposeBatch(batch);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return acc;
}

/** CE(fused) + Σ_m β_m CE(p_m) in the window, less the entropy term early on; β and each CE(p_m) reported. */
function pmrLoss(
  at: { model: ModelOf<'pmr'>; net: ConcatLinear; names: string[]; prototypeLogits: (z: tf.Tensor2D[]) => tf.Tensor2D[]; epoch: number },
  inputs: tf.Tensor2D[], labels: tf.Tensor1D, training: boolean,
): LossTerms {
  const { model, names } = at;
  const { z, fused } = at.net.forward(inputs);
  const protoLogits = at.prototypeLogits(z);
  const scores = trueClassScores(protoLogits, labels);
  const beta = tf.unstack(rebalanceWeights(scores, model.alpha));
  const protoCe = protoLogits.map((l) => crossEntropy(l, labels));
  const terms: Record<string, tf.Scalar> = {};
  names.forEach((n, m) => Object.assign(terms, { [`proto_ce_${n}`]: protoCe[m], [`beta_${n}`]: beta[m] }));
  let total = crossEntropy(fused, labels);
  const [first, last] = model.modulation_epochs;
  if (at.epoch >= first && at.epoch <= last) total = tf.add(total, tf.addN(protoCe.map((ce, m) => tf.mul(ce, beta[m])))) as tf.Scalar;
  if (training && at.epoch < model.entropy_epochs && model.entropy_weight > 0) {
    const leads = tf.unstack(tf.relu(tf.sign(tf.sub(scores, meanOfOthers(scores)))));
    const entropy = protoLogits.map((l) => tf.mean(predictionEntropy(l)));
    total = tf.sub(total, tf.mul(tf.addN(entropy.map((h, m) => tf.mul(h, leads[m]))), model.entropy_weight)) as tf.Scalar;
  }
  return { total, terms, probs: tf.softmax(fused) as tf.Tensor2D };
}

export function buildPmr(model: ModelOf<'pmr'>, train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-pmr');
  const names = spec.modalityNames;
  const net = concatLinear(params, 'pmr', model, spec, rng);
  const protoName = (name: string) => `pmr-state.prototypes.${name}`;
  names.forEach((name, m) => params.addState(protoName(name), [spec.classes, net.outDims[m]]));
  const prototypeLogits = (z: tf.Tensor2D[]) => z.map((zm, m) => negativeDistances(zm, params.get(protoName(names[m])) as tf.Tensor2D));
  /** The epoch being trained (from 0), set before each epoch; validation after it uses the same. */
  let epochNow = 0;

  /** The prototypes from a `prototype_share` of the training rows, blended with the previous ones after the first time. */
  const updatePrototypes = async (data: Dataset, trainRows: Int32Array, epoch: number) => {
    epochNow = epoch;
    const order = Rng.derive(seed, `pmr-prototypes-${epoch}`).shuffle(Int32Array.from(trainRows));
    const used = order.subarray(0, Math.max(1, Math.round(order.length * model.prototype_share)));
    const sums = await representationSums(data, used, train.eval_batch_size, spec.classes, (inputs) => net.forward(inputs).z);
    names.forEach((name, m) => {
      const state = params.get(protoName(name));
      const next = tf.tidy(() => {
        const counts = tf.expandDims(sums[m].counts, 1);
        const fresh = tf.where(tf.greater(counts, 0), tf.div(sums[m].sums, tf.maximum(counts, 1)), state);
        return epoch === 0 ? fresh : tf.add(tf.mul(fresh, 1 - model.momentum), tf.mul(state, model.momentum));
      });
      state.assign(next);
      tf.dispose([next, sums[m].sums, sums[m].counts]);
    });
  };

  return {
    paradigm: 'pmr',
    params,
    modalities: names,
    stages: [{
      name: 'train',
      trainable: params.names(['pmr']),
      beforeEpoch: updatePrototypes,
      loss: (inputs, labels, training) => pmrLoss({ model, net, names, prototypeLogits, epoch: epochNow }, inputs, labels, training),
    }],
    predict: (inputs) => {
      const { z, fused } = net.forward(inputs);
      return { probs: tf.softmax(fused) as tf.Tensor2D, unimodal: Object.fromEntries(prototypeLogits(z).map((l, m) => [names[m], tf.softmax(l) as tf.Tensor2D])) };
    },
  };
}
