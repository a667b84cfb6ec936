// DMIL's loss terms (dmil-method.md), each a scalar, named as they appear in metrics.csv.
import * as tf from '@tensorflow/tfjs-core';
import type { DmilConfig } from '../../config/schema';
import { crossEntropy, nllOfProbs, perSampleCrossEntropy } from '../../models/losses';
import { klToStandardNormal, mse, pairsOf, stopGradient } from '../../models/ops';
import { clubEstimate, crossCovariancePenalty, gaussianNll } from '../../models/mutualInformation';
import type { CrossOut, DmilNetwork, GateOut, IntraOut } from './network';

type Terms = Record<string, tf.Scalar>;

/** Cross-entropy against a fixed distribution (the label prior), mean over the batch. */
function softCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), target), 1))) as tf.Scalar;
}

/**
 * Level 1 per modality: CE of the M head, reconstruction of sg(z_m), KL of M and N.
 * Returned unweighted; `weightedL1` applies the weights.
 */
export function intraTerms(intra: IntraOut, labels: tf.Tensor1D): Terms {
  const t: Terms = {};
  intra.z.forEach((z, m) => {
    t[`ce_M${m + 1}`] = crossEntropy(intra.logitsM[m], labels);
    t[`rec_${m + 1}`] = mse(intra.zHat[m], stopGradient(z));
    t[`kl_${m + 1}`] = tf.add(klToStandardNormal(intra.M[m].dist), klToStandardNormal(intra.N[m].dist)) as tf.Scalar;
  });
  return t;
}

export function weightedL1(t: Terms, w: DmilConfig['weights'], modalities: number): tf.Scalar {
  const parts: tf.Scalar[] = [];
  for (let m = 1; m <= modalities; m++) {
    parts.push(t[`ce_M${m}`], tf.mul(t[`rec_${m}`], w.rec) as tf.Scalar, tf.mul(t[`kl_${m}`], w.kl) as tf.Scalar);
  }
  return tf.addN(parts) as tf.Scalar;
}

/** Stage-1 warm-up heads: CE(W([z_1 ... z_K]), y) + CE(W_N(fuse_K(N_1 ... N_K)), y), unweighted. */
export function warmupTerm(net: DmilNetwork, intra: IntraOut, labels: tf.Tensor1D): tf.Scalar {
  return tf.add(
    crossEntropy(net.warmJoint(intra.z), labels),
    crossEntropy(net.warmSynergy(intra.N.map((n) => n.value)), labels),
  ) as tf.Scalar;
}

/**
 * The N-label adversary. The probe learns CE(pi_m(sg N_m), y) (`probe`); N_m is trained against
 * the probe's frozen weights (`adv`):
 *   grl      reverses the probe's cross-entropy, -CE (unbounded: N can push the probe to be
 *            confidently wrong, and the loss grows without limit);
 *   clipped  reverses it per sample only up to chance, -mean_i min(CE_i, log C): once the probe
 *            is no better than chance on a sample, that sample stops pushing;
 *   prior    pulls the probe's prediction towards the training label prior (bounded below by
 *            the prior's entropy).
 */
export function adversaryTerms(net: DmilNetwork, dmil: DmilConfig, intra: IntraOut, labels: tf.Tensor1D, prior: tf.Tensor1D): Terms {
  if (dmil.adversary === 'off') return {};
  const probe: tf.Scalar[] = [];
  const adv: tf.Scalar[] = [];
  intra.N.forEach((n, m) => {
    probe.push(crossEntropy(net.probe(m, stopGradient(n.value), false), labels));
    const frozen = net.probe(m, n.value, true);
    adv.push(adversaryLoss(dmil.adversary as Exclude<DmilConfig['adversary'], 'off'>, frozen, labels, prior));
  });
  return { probe: tf.addN(probe) as tf.Scalar, adv: tf.mul(tf.addN(adv), dmil.weights.adv) as tf.Scalar };
}

/** The loss N minimises against one (frozen) probe's logits, unweighted. */
export function adversaryLoss(kind: 'grl' | 'clipped' | 'prior', logits: tf.Tensor2D, labels: tf.Tensor1D, prior: tf.Tensor1D): tf.Scalar {
  switch (kind) {
    case 'grl':
      return tf.neg(crossEntropy(logits, labels)) as tf.Scalar;
    case 'clipped':
      return tf.neg(tf.mean(tf.minimum(perSampleCrossEntropy(logits, labels), Math.log(logits.shape[1])))) as tf.Scalar;
    case 'prior':
      return softCrossEntropy(logits, prior);
  }
}

/** Level 2 and synergy, unweighted: component CEs, alignment, KL of U, and the MI penalty. */
export function crossTerms(net: DmilNetwork, dmil: DmilConfig, intra: IntraOut, cross: CrossOut, labels: tf.Tensor1D): Terms {
  const t: Terms = { ce_R: crossEntropy(cross.logits.R, labels) };
  cross.U.forEach((_, m) => (t[`ce_U${m + 1}`] = crossEntropy(cross.logits[`U${m + 1}`], labels)));
  t.ce_S = dmil.s_loss === 'residual'
    ? crossEntropy(tf.addN([cross.logits.S, ...intra.logitsM.map((l) => stopGradient(l))]) as tf.Tensor2D, labels)
    : crossEntropy(cross.logits.S, labels);
  t.align = alignment(cross.r);
  t.kl_U = tf.addN(cross.U.map((u) => klToStandardNormal(u.dist))) as tf.Scalar;
  if (dmil.mi === 'xcov') t.mi = tf.addN(cross.U.map((u) => crossCovariancePenalty(u.value, cross.R))) as tf.Scalar;
  if (dmil.mi === 'club') {
    t.mi = tf.addN(cross.U.map((u, m) => {
      const q = net.club(m, u.value, true);
      return clubEstimate(q.mean, q.logVar, cross.R);
    })) as tf.Scalar;
  }
  return t;
}

/** L_align: mean over pairs i < j of the batch mean of ||r_i - r_j||^2 (one pair with two modalities). */
export function alignment(r: readonly tf.Tensor2D[]): tf.Scalar {
  const perPair = pairsOf(r.length).map(([i, j]) => tf.mean(tf.sum(tf.squaredDifference(r[i], r[j]), 1)) as tf.Scalar);
  return perPair.length === 1 ? perPair[0] : (tf.div(tf.addN(perPair), perPair.length) as tf.Scalar);
}

export function weightedL2(t: Terms, dmil: DmilConfig): tf.Scalar {
  const w = dmil.weights;
  const uTerms = Object.keys(t).filter((k) => /^ce_U\d+$/.test(k)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))).map((k) => t[k]);
  const parts = [t.ce_R, ...uTerms, t.ce_S, tf.mul(t.align, w.alpha), tf.mul(t.kl_U, w.kl_u)];
  if (t.mi) parts.push(tf.mul(t.mi, w.mi));
  return tf.addN(parts) as tf.Scalar;
}

/** CLUB's own step: fit q(R | U_m) to the current (detached) representations. */
export function clubFitLoss(net: DmilNetwork, cross: CrossOut): tf.Scalar {
  return tf.addN(cross.U.map((u, m) => {
    const q = net.club(m, stopGradient(u.value), false);
    return gaussianNll(q.mean, q.logVar, stopGradient(cross.R));
  })) as tf.Scalar;
}

/** The mixture p(y|x) = sum_c g_c p_c. */
export function mixture(g: GateOut): tf.Tensor2D {
  const cols = tf.split(g.gate, g.probs.length, 1);
  return tf.addN(g.probs.map((p, c) => tf.mul(cols[c], p))) as tf.Tensor2D;
}

/**
 * Gate terms: the mixture loss (on detached components unless `toComponents`), load balancing
 * sum_c gbar_c log gbar_c (weighted), and the optional per-sample gate entropy (weighted).
 */
export function gateTerms(g: GateOut, labels: tf.Tensor1D, dmil: DmilConfig, toComponents: boolean): Terms {
  const probs = toComponents ? g.probs : g.probs.map((p) => stopGradient(p));
  const t: Terms = { mix: nllOfProbs(mixture({ gate: g.gate, probs }), labels) };
  const gbar = tf.mean(g.gate, 0);
  t.lb = tf.mul(tf.sum(tf.mul(gbar, tf.log(tf.add(gbar, 1e-8)))), dmil.weights.lb) as tf.Scalar;
  if (dmil.weights.gate_entropy > 0) {
    const h = tf.neg(tf.mean(tf.sum(tf.mul(g.gate, tf.log(tf.add(g.gate, 1e-8))), 1)));
    t.gate_entropy = tf.mul(h, dmil.weights.gate_entropy) as tf.Scalar;
  }
  return t;
}
