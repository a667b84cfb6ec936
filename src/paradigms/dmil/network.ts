// DMIL's network (dmil-method.md, "Architecture" and "More than two modalities"), for K >= 2
// modalities:
//   level 1, per modality: encoder E_m -> z_m; Gaussian heads q(M_m|z_m) "intra" and q(N_m|z_m)
//     "inter"; decoder D_m(M_m, N_m) -> z_hat_m; unimodal head h_Mm; N-label probe pi_m;
//   stage-1 warm-up heads W([z_1 ... z_K]) and W_N(fuse_K(N_1 ... N_K));
//   level 2: common space P_m, r_m = normalise(P_m(M_m)), R = mean_m r_m and its head h_R;
//     Gaussian U_m from M_m with head h_Um; synergy S = F(fuse_K(N_1 ... N_K)) with head h_S;
//   the gate G over detached features (and confidences), mixing the K + 2 components
//   R, U1 ... UK, S. With K = 2 every operation is the two-modality design's, in its order.
// Parameter names start with the group a stage trains or freezes: enc, id, probe, warm, cd, syn,
// gate, club.
import * as tf from '@tensorflow/tfjs-core';
import type { DmilConfig, ModelOf } from '../../config/schema';
import { buildEncoder, backboneFor } from '../../models/backbone';
import { dense, mlp, type Layer } from '../../models/layers';
import { fuseAll, normaliseRows, pairsOf, sampleGaussian, stopGradient, sumAll, type Gaussian } from '../../models/ops';
import type { Params } from '../../models/params';
import { Rng } from '../../rng';
import type { ModelSpec } from '../paradigm';

/** The components with K modalities, in gate order: R, U1 ... UK, S. */
export const componentsFor = (modalities: number): string[] => ['R', ...Array.from({ length: modalities }, (_, m) => `U${m + 1}`), 'S'];

/** Two linear maps to a mean and a clamped log-variance. */
function gaussianHead(params: Params, name: string, inDim: number, k: number, rng: Rng): (x: tf.Tensor2D) => Gaussian {
  const mean = dense(params, `${name}.mean`, inDim, k, rng, 'linear');
  const logVar = dense(params, `${name}.logvar`, inDim, k, rng, 'linear');
  return (x) => ({ mean: mean(x), logVar: tf.clipByValue(logVar(x), -8, 8) });
}

export interface Sampled {
  dist: Gaussian;
  /** The reparameterised sample in training, the mean in evaluation. */
  value: tf.Tensor2D;
}

export interface IntraOut {
  z: tf.Tensor2D[];
  M: Sampled[];
  N: Sampled[];
  zHat: tf.Tensor2D[];
  logitsM: tf.Tensor2D[];
}

export interface CrossOut {
  /** P_m(M_m) before normalisation, and r_m after. */
  P: tf.Tensor2D[];
  r: tf.Tensor2D[];
  R: tf.Tensor2D;
  U: Sampled[];
  /** Logits by component: R, U1 ... UK, S. */
  logits: Record<string, tf.Tensor2D>;
}

export interface GateOut {
  /** Component probabilities [N, C], in component order (R, U1 ... UK, S). */
  probs: tf.Tensor2D[];
  /** Gate weights [N, K + 2]. */
  gate: tf.Tensor2D;
}

/** Where sampling noise comes from: a seed per (stage, step); null in evaluation. */
export type Noise = { seed: number } | null;

export interface DmilNetwork {
  intra(inputs: tf.Tensor2D[], noise: Noise): IntraOut;
  cross(intra: IntraOut, noise: Noise): CrossOut;
  gate(intra: IntraOut, cross: CrossOut): GateOut;
  warmJoint(z: tf.Tensor2D[]): tf.Tensor2D;
  warmSynergy(N: tf.Tensor2D[]): tf.Tensor2D;
  probe(m: number, n: tf.Tensor2D, frozen: boolean): tf.Tensor2D;
  /** CLUB's q(R | U_m): mean and log-variance. */
  club(m: number, u: tf.Tensor2D, frozen: boolean): Gaussian;
}

/**
 * Every learned part, created in this order (each draws its initial weights from one stream, so
 * the order is part of a seed's result): encoders, the ID heads, decoders, M heads, probes,
 * warm-up heads; the common space, R head, U heads, F and the S head, the gate, CLUB's nets.
 */
const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function createLayers(params: Params, model: ModelOf<'dmil'>, dmil: DmilConfig, spec: ModelSpec, seed: number) {
  const rng = Rng.derive(seed, 'init-dmil');
  const k = dmil.latent;
  const C = spec.classes;
  const names = spec.modalityNames;
  const encoders = names.map((name, m) => buildEncoder(params, `enc.${name}`, spec.inputShapes[m], backboneFor(model, name, names), rng, name));
  const d = encoders.map((e) => e.outDim);
  const K = names.length;
  const pairs = pairsOf(K).length;
  // fuse_K(N_1 ... N_K): the K latents, then a product and an absolute difference per pair.
  const fused = (K + 2 * pairs) * k;
  const intra = {
    encoders,
    headM: names.map((name, m) => gaussianHead(params, `id.${name}.M`, d[m], k, rng)),
    headN: names.map((name, m) => gaussianHead(params, `id.${name}.N`, d[m], k, rng)),
    decoders: names.map((name, m) => mlp(params, `id.${name}.decoder`, 2 * k, [d[m], d[m]], rng, 'relu', 'linear')),
    hM: names.map((name) => dense(params, `id.${name}.head`, k, C, rng, 'linear')),
    probes: names.map((name) => mlp(params, `probe.${name}`, k, [64, C], rng, 'relu', 'linear')),
    warmW: mlp(params, 'warm.joint', sumOf(d), [d[0], C], rng, 'relu', 'linear'),
    warmWN: mlp(params, 'warm.synergy', fused, [128, 64, C], rng, 'relu', 'linear'),
  };
  const cross = {
    P: names.map((name) => mlp(params, `cd.${name}.P`, k, [k, k], rng, 'relu', 'linear')),
    hR: dense(params, 'cd.R.head', k, C, rng, 'linear'),
    headU: names.map((name) => gaussianHead(params, `cd.${name}.U`, k, k, rng)),
    hU: names.map((name) => dense(params, `cd.${name}.U.head`, k, C, rng, 'linear')),
    F: mlp(params, 'syn.F', fused, [128, 64, k], rng, 'relu', 'linear'),
    hS: dense(params, 'syn.head', k, C, rng, 'linear'),
  };
  // The gate reads [z_m], and with confidences [p_R, p_U1 ... p_UK, p_S, p_M1 ... p_MK, <p_Mi, p_Mj> per pair].
  const gateIn = sumOf(d) + (dmil.gate_inputs === 'features+confidences' ? (2 * K + 2) * C + pairs : 0);
  const G = mlp(params, 'gate', gateIn, [64, K + 2], rng, 'relu', 'linear');
  const clubNets: Layer[] = dmil.mi === 'club' ? names.map((name) => mlp(params, `club.${name}`, k, [k, 2 * k], rng, 'relu', 'linear')) : [];
  return { ...intra, ...cross, G, clubNets };
}

export function buildNetwork(params: Params, model: ModelOf<'dmil'>, dmil: DmilConfig, spec: ModelSpec, seed: number): DmilNetwork {
  const { encoders, headM, headN, decoders, hM, probes, warmW, warmWN, P, hR, headU, hU, F, hS, G, clubNets } = createLayers(params, model, dmil, spec, seed);
  const K = spec.modalityNames.length;
  const components = componentsFor(K);
  // Noise slots per step: M_m, N_m, U_m (3K of them; 16 with two modalities, as before).
  const stride = Math.max(16, 3 * K);
  const sample = (dist: Gaussian, noise: Noise, slot: number): Sampled => ({
    dist,
    value: noise ? sampleGaussian(dist, tf.randomNormal(dist.mean.shape, 0, 1, 'float32', noise.seed * stride + slot) as tf.Tensor2D) : dist.mean,
  });

  return {
    intra(inputs, noise) {
      const z = encoders.map((e, m) => e.forward(inputs[m]));
      const M = z.map((zm, m) => sample(headM[m](zm), noise, m));
      const N = z.map((zm, m) => sample(headN[m](zm), noise, K + m));
      const zHat = decoders.map((dec, m) => dec(tf.concat([M[m].value, N[m].value], 1) as tf.Tensor2D));
      const logitsM = hM.map((h, m) => h(M[m].value));
      return { z, M, N, zHat, logitsM };
    },
    cross(intra, noise) {
      const Pm = P.map((p, m) => p(intra.M[m].value));
      const r = Pm.map((x) => normaliseRows(x));
      const R = tf.div(sumAll(r), K) as tf.Tensor2D;
      const logitR = dmil.r_head === 'agreement' ? sumAll(Pm.map((x) => hR(x))) : hR(R);
      const U = headU.map((h, m) => sample(h(intra.M[m].value), noise, 2 * K + m));
      const S = F(fuseAll(intra.N.map((n) => n.value)));
      const logits: Record<string, tf.Tensor2D> = { R: logitR };
      U.forEach((u, m) => (logits[`U${m + 1}`] = hU[m](u.value)));
      logits.S = hS(S);
      return { P: Pm, r, R, U, logits };
    },
    gate(intra, cross) {
      const probs = components.map((c) => tf.softmax(cross.logits[c]) as tf.Tensor2D);
      const pM = intra.logitsM.map((l) => tf.softmax(l) as tf.Tensor2D);
      const features: tf.Tensor2D[] = intra.z.map((z) => stopGradient(z));
      if (dmil.gate_inputs === 'features+confidences') {
        const agreements = pairsOf(K).map(([i, j]) => tf.sum(tf.mul(pM[i], pM[j]), 1, true) as tf.Tensor2D);
        features.push(...[...probs, ...pM, ...agreements].map((t) => stopGradient(t)));
      }
      const gate = tf.softmax(G(tf.concat(features, 1) as tf.Tensor2D)) as tf.Tensor2D;
      return { probs, gate };
    },
    warmJoint: (z) => warmW(tf.concat(z, 1) as tf.Tensor2D),
    warmSynergy: (N) => warmWN(fuseAll(N)),
    probe: (m, n, frozen) => probes[m](n, frozen),
    club(m, u, frozen) {
      const out = clubNets[m](u, frozen);
      const [mean, logVar] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, logVar: tf.clipByValue(logVar, -8, 8) };
    },
  };
}
