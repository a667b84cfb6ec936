// Synthetic data of K >= 2 modalities with a known interaction type per sample.
//   R:  every modality carries the code of y.
//   Um: modality m carries y's code, every other modality the code of a random class of its own.
//   S:  modalities 1 ... K-1 carry the codes of uniform a_1 ... a_{K-1}, modality K the code of
//       (y - a_1 - ... - a_{K-1}) mod C: y = (a_1 + ... + a_K) mod C, and no proper subset of the
//       modalities says anything about y.
// A per-type cue (strength `cue`) is added to every modality's latent so the type can be read
// from the input. Each latent then passes through a fixed random two-layer map to `dim`
// features, standardised to unit variance, plus Gaussian noise of the modality's own scale.
import { interactionTypes, type InteractionType } from '../interactionTypes';
import type { SyntheticConfig } from '../config/dataSchema';
import { requireFits } from './files';
import { Rng } from '../rng';
import type { Dataset, ModalityData } from './dataset';
import { stratifiedSplit } from './split';

/**
 * The class whose code each of the K modalities carries for a sample of type t and label y. The
 * random draws are in modality order (with two modalities: one draw for U1, U2 and S each).
 */
export function carriedCodes(t: InteractionType, y: number, classes: number, rng: Rng, modalities = 2): number[] {
  if (t === 'R') return new Array<number>(modalities).fill(y);
  if (t === 'S') {
    const a = Array.from({ length: modalities - 1 }, () => rng.int(classes));
    const rest = a.reduce((s, v) => s - v, y);
    return [...a, ((rest % classes) + classes) % classes];
  }
  const own = Number(t.slice(1)) - 1;
  return Array.from({ length: modalities }, (_, m) => (m === own ? y : rng.int(classes)));
}

interface ModalityMap {
  codebook: Float32Array; // [classes, L]
  cues: Float32Array; // [types, L]
  w1: Float32Array; // [L, dim]
  b1: Float32Array; // [dim]
  w2: Float32Array; // [dim, dim]
}

function randomMap(rng: Rng, classes: number, latent: number, dim: number, cue: number, types: number): ModalityMap {
  return {
    codebook: rng.normalArray(classes * latent),
    cues: rng.normalArray(types * latent, cue),
    w1: rng.normalArray(latent * dim, 1.5 / Math.sqrt(latent)),
    b1: rng.normalArray(dim, 0.5),
    w2: rng.normalArray(dim * dim, 1 / Math.sqrt(dim)),
  };
}

/** Clean features of one sample: W2 tanh(W1 (code + cue) + b1). */
function embed(map: ModalityMap, code: number, type: number, latent: number, dim: number, out: Float32Array, offset: number): void {
  const z = new Float32Array(latent);
  for (let l = 0; l < latent; l++) z[l] = map.codebook[code * latent + l] + map.cues[type * latent + l];
  const h = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    let s = map.b1[j];
    for (let l = 0; l < latent; l++) s += z[l] * map.w1[l * dim + j];
    h[j] = Math.tanh(s);
  }
  for (let k = 0; k < dim; k++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += h[j] * map.w2[j * dim + k];
    out[offset + k] = s;
  }
}

function standardiseColumns(values: Float32Array, rows: number, dim: number): void {
  for (let k = 0; k < dim; k++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += values[i * dim + k];
    mean /= rows;
    let varSum = 0;
    for (let i = 0; i < rows; i++) varSum += (values[i * dim + k] - mean) ** 2;
    const std = Math.sqrt(varSum / rows) || 1;
    for (let i = 0; i < rows; i++) values[i * dim + k] = (values[i * dim + k] - mean) / std;
  }
}

export function generateSynthetic(cfg: SyntheticConfig, seed: number): Dataset {
  const dataSeed = cfg.seed ?? seed;
  const n = cfg.samples;
  requireFits(n * cfg.modalities.reduce((a, m) => a + m.dim, 0), 'data.samples', 'use fewer samples or smaller modalities (data.modalities.*.dim)');
  const C = cfg.classes;
  const L = cfg.latent_dim;
  const K = cfg.modalities.length;
  const typeNames = interactionTypes(K);
  const mixWeights = typeNames.map((t) => (cfg.mix as Record<string, number | undefined>)[t] ?? 0);

  const structure = Rng.derive(dataSeed, 'synthetic-structure');
  const maps = cfg.modalities.map((m) => randomMap(structure, C, L, m.dim, cfg.cue, typeNames.length));

  const draw = Rng.derive(dataSeed, 'synthetic-samples');
  const labels = new Int32Array(n);
  const types: InteractionType[] = new Array(n);
  const codes = cfg.modalities.map(() => new Int32Array(n));
  for (let i = 0; i < n; i++) {
    const t = typeNames[draw.categorical(mixWeights)];
    const y = draw.int(C);
    carriedCodes(t, y, C, draw, K).forEach((c, m) => (codes[m][i] = c));
    labels[i] = y;
    types[i] = t;
  }

  const noise = Rng.derive(dataSeed, 'synthetic-noise');
  const modalities: ModalityData[] = cfg.modalities.map((m, mi) => {
    const values = new Float32Array(n * m.dim);
    for (let i = 0; i < n; i++) embed(maps[mi], codes[mi][i], typeNames.indexOf(types[i]), L, m.dim, values, i * m.dim);
    standardiseColumns(values, n, m.dim);
    for (let k = 0; k < values.length; k++) values[k] += noise.normal() * m.noise;
    return { name: m.name, shape: [m.dim], values };
  });

  const split = stratifiedSplit(labels, C, cfg.split.val, cfg.split.test, Rng.derive(dataSeed, 'split'));
  return {
    modalities,
    labels,
    classNames: Array.from({ length: C }, (_, c) => String(c)),
    ids: Array.from({ length: n }, (_, i) => String(i)),
    types,
    split,
  };
}
