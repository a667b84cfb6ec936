// Synthetic two-modality data with a known interaction type per sample.
//   R:  both modalities carry the code of y.
//   U1: modality 1 carries y's code, modality 2 the code of a random class (U2 mirrors it).
//   S:  modality 1 carries the code of a uniform a, modality 2 the code of (y - a) mod C, so
//       neither modality alone says anything about y.
// A per-type cue (strength `cue`) is added to both modalities' latents so the type can be read
// from the input. Each latent then passes through a fixed random two-layer map to `dim`
// features, standardised to unit variance, plus Gaussian noise of the modality's own scale.
import { INTERACTION_TYPES, type InteractionType } from '../interactionTypes';
import type { SyntheticConfig } from '../config/dataSchema';
import { requireFits } from './files';
import { Rng } from '../rng';
import type { Dataset, ModalityData } from './dataset';
import { stratifiedSplit } from './split';

/** The class whose code modality m (0 or 1) carries for a sample of type t and label y. */
export function carriedCodes(t: InteractionType, y: number, classes: number, rng: Rng): [number, number] {
  switch (t) {
    case 'R':
      return [y, y];
    case 'U1':
      return [y, rng.int(classes)];
    case 'U2':
      return [rng.int(classes), y];
    case 'S': {
      const a = rng.int(classes);
      return [a, (((y - a) % classes) + classes) % classes];
    }
  }
}

interface ModalityMap {
  codebook: Float32Array; // [classes, L]
  cues: Float32Array; // [types, L]
  w1: Float32Array; // [L, dim]
  b1: Float32Array; // [dim]
  w2: Float32Array; // [dim, dim]
}

function randomMap(rng: Rng, classes: number, latent: number, dim: number, cue: number): ModalityMap {
  return {
    codebook: rng.normalArray(classes * latent),
    cues: rng.normalArray(INTERACTION_TYPES.length * latent, cue),
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
  const mixWeights = INTERACTION_TYPES.map((t) => cfg.mix[t]);

  const structure = Rng.derive(dataSeed, 'synthetic-structure');
  const maps = cfg.modalities.map((m) => randomMap(structure, C, L, m.dim, cfg.cue));

  const draw = Rng.derive(dataSeed, 'synthetic-samples');
  const labels = new Int32Array(n);
  const types: InteractionType[] = new Array(n);
  const codes = [new Int32Array(n), new Int32Array(n)];
  for (let i = 0; i < n; i++) {
    const t = INTERACTION_TYPES[draw.categorical(mixWeights)];
    const y = draw.int(C);
    const [c1, c2] = carriedCodes(t, y, C, draw);
    labels[i] = y;
    types[i] = t;
    codes[0][i] = c1;
    codes[1][i] = c2;
  }

  const noise = Rng.derive(dataSeed, 'synthetic-noise');
  const modalities: ModalityData[] = cfg.modalities.map((m, mi) => {
    const values = new Float32Array(n * m.dim);
    for (let i = 0; i < n; i++) embed(maps[mi], codes[mi][i], INTERACTION_TYPES.indexOf(types[i]), L, m.dim, values, i * m.dim);
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
