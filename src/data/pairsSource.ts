// The pairs source: two real images per sample, with a known interaction type, drawn from a
// labelled image set (MNIST family):
//   R:  both images of class y;
//   U1: the first of class y, the second of a random class (U2 mirrors it);
//   S:  the first of a uniform class a, the second of class (y - a) mod C, so neither image alone
//       says anything about y.
// An optional per-type mark (a small bright square in one corner of both images, a different
// corner per type, brightness `cue`) lets a model tell the type from the input. Training and
// validation pairs are drawn from disjoint pools of training images; test pairs from the test
// images. Each image is one modality of shape [H, W, 1], scaled to [0, 1].
import type { PairsConfig } from '../config/dataSchema';
import { UserError } from '../errors';
import { INTERACTION_TYPES, type InteractionType } from '../interactionTypes';
import { requireFits } from './files';
import { Rng } from '../rng';
import type { Dataset } from './dataset';
import { readLabelledImages, type LabelledImages } from './idx';
import { stratifiedSplit } from './split';
import { carriedCodes } from './synthetic';

/** Image indices of each class, for the images in `pool`. */
function byClass(set: LabelledImages, pool: number[], classOf: Map<number, number>, classes: number): number[][] {
  const out: number[][] = Array.from({ length: classes }, () => []);
  for (const i of pool) {
    const c = classOf.get(set.labels[i]);
    if (c !== undefined) out[c].push(i);
  }
  return out;
}

/** Adds the mark of interaction type `t` (corner t: top-left, top-right, bottom-left, bottom-right) to an [h, w] image. */
export function addMark(img: Float32Array, h: number, w: number, t: number, cue: number): void {
  if (cue === 0) return;
  const side = Math.max(2, Math.round(Math.min(h, w) / 7));
  const y0 = t < 2 ? 1 : h - 1 - side;
  const x0 = t % 2 === 0 ? 1 : w - 1 - side;
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) img[y * w + x] = Math.min(1, img[y * w + x] + cue);
}

interface Pool {
  set: LabelledImages;
  name: string;
  members: number[][];
}

export function loadPairs(cfg: PairsConfig, seed: number): Dataset {
  if ((cfg.test_images === undefined) !== (cfg.test_labels === undefined)) throw new UserError('give both test_images and test_labels, or neither', { where: 'data' });
  const train = readLabelledImages(cfg.images, cfg.labels);
  const test = cfg.test_images ? readLabelledImages(cfg.test_images, cfg.test_labels!) : undefined;
  if (test && (test.h !== train.h || test.w !== train.w)) throw new UserError(`test images are ${test.h}x${test.w}, training images ${train.h}x${train.w}`, { where: cfg.test_images! });
  const present = [...new Set(train.labels)].sort((a, b) => a - b);
  const chosen = cfg.classes ?? present;
  const missing = chosen.find((c) => !present.includes(c));
  if (missing !== undefined) throw new UserError(`no image has label ${missing}`, { where: 'data.classes', hint: `labels in ${cfg.images}: ${present.join(', ')}` });
  const pools = imagePools(cfg, train, test, chosen, cfg.seed ?? seed);
  return { ...pairUp(cfg, pools, chosen.length, train, cfg.seed ?? seed), classNames: chosen.map(String) };
}

/** Disjoint image pools for train / val / test (the test file's images when there is one), stratified by label, each image's class index. */
function imagePools(cfg: PairsConfig, train: LabelledImages, test: LabelledImages | undefined, chosen: number[], dataSeed: number): Pool[] {
  const C = chosen.length;
  const classOf = new Map(chosen.map((label, c) => [label, c]));
  const usable = Array.from({ length: train.n }, (_, i) => i).filter((i) => classOf.has(train.labels[i]));
  const poolSplit = stratifiedSplit(Int32Array.from(usable, (i) => classOf.get(train.labels[i])!), C, cfg.split.val, test ? 0 : cfg.split.test, Rng.derive(dataSeed, 'pairs-pools'));
  const poolOf = (s: number) => usable.filter((_, k) => poolSplit[k] === s);
  const pools: Pool[] = [
    { set: train, name: 'train', members: byClass(train, poolOf(0), classOf, C) },
    { set: train, name: 'train', members: byClass(train, poolOf(1), classOf, C) },
    test
      ? { set: test, name: 'test', members: byClass(test, Array.from({ length: test.n }, (_, i) => i), classOf, C) }
      : { set: train, name: 'train', members: byClass(train, poolOf(2), classOf, C) },
  ];
  pools.forEach((p, s) => {
    const empty = p.members.findIndex((m) => m.length === 0);
    if (empty >= 0) throw new UserError(`the ${['training', 'validation', 'test'][s]} images have no image of label ${chosen[empty]}`, { where: 'data', hint: 'use more images, or other classes' });
  });
  return pools;
}

/** The pairs: per sample an interaction type and a label, and the two images that carry it, drawn from its split's pool. */
function pairUp(cfg: PairsConfig, pools: Pool[], C: number, train: LabelledImages, dataSeed: number): Omit<Dataset, 'classNames'> {
  const nVal = Math.round(cfg.samples * cfg.split.val);
  const counts = [cfg.samples - nVal, nVal, cfg.test_samples];
  const n = counts[0] + counts[1] + counts[2];
  const { h, w } = train;
  const size = h * w;
  requireFits(2 * n * size, 'data.samples', 'use fewer pairs (data.samples, data.test_samples)');
  const views = [new Float32Array(n * size), new Float32Array(n * size)];
  const labels = new Int32Array(n);
  const types: InteractionType[] = new Array(n);
  const split = new Uint8Array(n);
  const ids: string[] = new Array(n);
  const rng = Rng.derive(dataSeed, 'pairs');
  const mixWeights = INTERACTION_TYPES.map((t) => cfg.mix[t]);
  let k = 0;
  counts.forEach((count, s) => {
    const pool = pools[s];
    for (let j = 0; j < count; j++, k++) {
      const t = INTERACTION_TYPES[rng.categorical(mixWeights)];
      const y = rng.int(C);
      const codes = carriedCodes(t, y, C, rng);
      const sources = codes.map((c) => pool.members[c][rng.int(pool.members[c].length)]);
      sources.forEach((src, v) => {
        const img = views[v].subarray(k * size, (k + 1) * size);
        for (let p = 0; p < size; p++) img[p] = pool.set.pixels[src * size + p] / 255;
        addMark(img, h, w, INTERACTION_TYPES.indexOf(t), cfg.cue);
      });
      labels[k] = y;
      types[k] = t;
      split[k] = s;
      ids[k] = `${k}:${pool.name}-${sources[0]}:${pool.name}-${sources[1]}`;
    }
  });
  return { modalities: ['a', 'b'].map((name, v) => ({ name, shape: [h, w, 1], values: views[v] })), labels, ids, types, split };
}
