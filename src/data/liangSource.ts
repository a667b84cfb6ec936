// The synthetic data of Liang et al., "Quantifying & Modeling Multimodal Interactions" (NeurIPS
// 2023), reimplemented from the description of the authors' synthetic/generate_data.py, so that
// `dmil pid` can be compared with the PID values they published for it (README).
//   Three latents z1, z2, z12 ~ N(0, latent_variance I), each latent_dim wide, and a fixed
//   uniform(0, 1) matrix T per latent (latent_dim x transform_dim). Modality x1 = [z1 T1, z12 T12],
//   x2 = [z2 T2, z12 T12]: the shared part is the same features in both.
//   Label score: per sample, floor(share x latent_dim) dimensions drawn from each latent
//   (label_from), each left out with probability label_dropout (the kept ones scaled by
//   1 / (1 - p), as torch's dropout does), averaged. The classes are equal-frequency bins of the
//   score (their sigmoid is monotone, so it does not change the bins).
// Differences from their script (ours): dmil's seeded generator and stratified split instead of
// numpy's global state and scikit-learn's, and the samples keep their drawing order (theirs are
// sorted by label before splitting, which a stratified split makes irrelevant).
import type { LiangConfig } from '../config/dataSchema';
import { requireFits } from './files';
import { Rng } from '../rng';
import type { Dataset } from './dataset';
import { stratifiedSplit } from './split';

const LATENTS = ['x1', 'x2', 'shared'] as const;

export function generateLiang(cfg: LiangConfig, seed: number): Dataset {
  const dataSeed = cfg.seed ?? seed;
  const n = cfg.samples;
  const L = cfg.latent_dim;
  const T = cfg.transform_dim;
  requireFits(n * 4 * T, 'data.samples', 'use fewer samples or a smaller data.transform_dim');

  const structure = Rng.derive(dataSeed, 'liang2023-structure');
  const transforms = LATENTS.map(() => Float64Array.from({ length: L * T }, () => structure.uniform()));

  const draw = Rng.derive(dataSeed, 'liang2023-samples');
  const sd = Math.sqrt(cfg.latent_variance);
  const x1 = new Float32Array(n * 2 * T);
  const x2 = new Float32Array(n * 2 * T);
  const scores = new Float64Array(n);
  const z = LATENTS.map(() => new Float64Array(L));
  const keep = 1 - cfg.label_dropout;
  for (let i = 0; i < n; i++) {
    for (const latent of z) for (let l = 0; l < L; l++) latent[l] = draw.normal() * sd;
    embed(z[0], transforms[0], L, T, x1, i * 2 * T);
    embed(z[2], transforms[2], L, T, x1, i * 2 * T + T);
    embed(z[1], transforms[1], L, T, x2, i * 2 * T);
    x2.set(x1.subarray(i * 2 * T + T, (i + 1) * 2 * T), i * 2 * T + T);
    let sum = 0;
    let count = 0;
    LATENTS.forEach((name, k) => {
      for (const l of pick(Math.floor(cfg.label_from[name] * L), L, draw)) {
        if (draw.uniform() < keep) sum += z[k][l] / keep;
        count++;
      }
    });
    scores[i] = sum / count;
  }
  const labels = equalFrequencyBins(scores, cfg.classes);
  const split = stratifiedSplit(labels, cfg.classes, cfg.split.val, cfg.split.test, Rng.derive(dataSeed, 'split'));
  return {
    modalities: [
      { name: 'x1', shape: [2 * T], values: x1 },
      { name: 'x2', shape: [2 * T], values: x2 },
    ],
    labels,
    classNames: Array.from({ length: cfg.classes }, (_, c) => String(c)),
    ids: Array.from({ length: n }, (_, i) => String(i)),
    split,
  };
}

/** out[offset ...] = z T for one latent z (length L) and its L x T matrix. */
function embed(z: Float64Array, t: Float64Array, L: number, T: number, out: Float32Array, offset: number): void {
  for (let j = 0; j < T; j++) {
    let s = 0;
    for (let l = 0; l < L; l++) s += z[l] * t[l * T + j];
    out[offset + j] = s;
  }
}

/** `count` distinct indices of [0, n), drawn without replacement. */
function pick(count: number, n: number, rng: Rng): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/**
 * Class of each score: the samples ranked by score, rank r in class c when
 * floor(c n / C) <= r < floor((c + 1) n / C), as their script slices the sorted samples.
 */
export function equalFrequencyBins(scores: Float64Array, classes: number): Int32Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
  const labels = new Int32Array(n);
  let c = 0;
  order.forEach((i, r) => {
    while (r >= Math.floor(((c + 1) * n) / classes)) c++;
    labels[i] = c;
  });
  return labels;
}
