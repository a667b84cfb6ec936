// A dataset from files that come split (per-split .npy files, a pickle's train/valid/test dicts,
// an HDF5 file's row ranges): the parts are stacked in the order train, val, test; every part
// must give a modality the same sample shape; samples a label transform drops go first, then a
// validation split may be taken from training (`data.val_from_train`: the last N, or a seeded
// class-stratified fraction), recorded in split.csv like every split.
import { UserError } from '../errors';
import { Rng } from '../rng';
import type { Dataset, ModalityData, SplitName } from './dataset';
import type { NonfiniteCount } from './nonfinite';
import { encodeNamed, withoutDropped } from './npySource';
import { stratifiedSplit } from './split';

export interface SplitPart {
  name: SplitName;
  /** Each sample's class name; null where the label transform drops it. */
  labels: (string | null)[];
  /** Shape of one sample per modality, in the config's modality order. */
  shapes: number[][];
  /** Sample ids; default `<split>/<row>`. */
  ids?: string[];
  /** Where row i's label is, and where a modality's samples are, for messages. */
  labelWhere: (row: number) => string;
  modalityWhere: (modality: string) => string;
}

export interface StackRule {
  modalities: readonly string[];
  /** Why samples with a null label are dropped (undefined: none are). */
  dropWhy?: string;
  val_from_train?: { last?: number; fraction?: number };
  seed?: number;
}

/** Refuses parts whose sample shapes differ for a modality. */
export function requireSameShapes(parts: readonly SplitPart[], names: readonly string[]): void {
  names.forEach((name, mi) => {
    const first = parts[0].shapes[mi];
    for (const p of parts.slice(1)) {
      const shape = p.shapes[mi];
      if (shape.join() !== first.join()) {
        throw new UserError(`modality ${name} has samples of shape [${shape.join(', ')}] in the ${p.name} split and [${first.join(', ')}] in the ${parts[0].name} split`, { where: p.modalityWhere(name), hint: 'every split must give a modality the same shape' });
      }
    }
  });
}

/**
 * The dataset of the parts; `fill(mi, out)` writes modality mi's samples of every part, stacked,
 * into `out` (so a source can write straight from its file without an intermediate copy).
 */
export function stackParts(parts: readonly SplitPart[], rule: StackRule, seed: number, fill: (mi: number, out: Float32Array) => void, nonfinite: NonfiniteCount[]): Dataset {
  requireSameShapes(parts, rule.modalities);
  const raw = parts.flatMap((p) => p.labels);
  const where = (i: number) => {
    let offset = i;
    for (const p of parts) {
      if (offset < p.labels.length) return p.labelWhere(offset);
      offset -= p.labels.length;
    }
    return `row ${i}`;
  };
  const { classNames, labels } = encodeNamed(raw, where);
  const split = Uint8Array.from(parts.flatMap((p) => p.labels.map(() => ['train', 'val', 'test'].indexOf(p.name))));
  const modalities: ModalityData[] = rule.modalities.map((name, mi) => {
    const shape = parts[0].shapes[mi];
    const values = new Float32Array(raw.length * shape.reduce((a, b) => a * b, 1));
    fill(mi, values);
    return { name, shape, values };
  });
  const ids = parts.flatMap((p) => p.ids ?? p.labels.map((_, r) => `${p.name}/${r}`));
  if (new Set(ids).size !== ids.length) {
    const seen = new Set<string>();
    const twice = ids.find((id) => seen.has(id) || !seen.add(id));
    throw new UserError(`sample id "${twice}" appears twice`, { where: where(ids.indexOf(twice!)), hint: 'ids must be unique across the splits; leave data.ids out to number the rows' });
  }
  // Dropped samples go first, so a validation share is taken from what remains.
  const data = withoutDropped({ modalities, labels, classNames, ids, split, ...(nonfinite.length ? { nonfinite } : {}) }, raw, rule.dropWhy);
  if (!parts.some((p) => p.name === 'val')) takeValidation(rule, data.labels, classNames.length, data.split, Rng.derive(rule.seed ?? seed, 'split'));
  return data;
}

/** Marks validation samples (1) among the training ones (0) by `data.val_from_train`. */
function takeValidation(rule: StackRule, labels: Int32Array, classes: number, split: Uint8Array, rng: Rng): void {
  const train = Array.from(split.keys()).filter((i) => split[i] === 0);
  const take = rule.val_from_train;
  if (!take) throw new Error('no validation split and no rule to take one: the config schema requires one');
  if (take.last !== undefined) {
    if (take.last >= train.length) {
      throw new UserError(`data.val_from_train.last is ${take.last}, the training split holds ${train.length} samples`, { where: 'data.val_from_train.last', hint: `take fewer than ${train.length}` });
    }
    for (const i of train.slice(train.length - take.last)) split[i] = 1;
    return;
  }
  // A class-stratified draw from the training samples only.
  const trainLabels = Int32Array.from(train, (i) => labels[i]);
  const chosen = stratifiedSplit(trainLabels, classes, take.fraction!, 0, rng);
  train.forEach((i, k) => {
    if (chosen[k] === 1) split[i] = 1;
  });
}

/** Where the i-th stacked sample of a modality is (`<part's place>[row]`). */
export function sampleWhere(parts: readonly SplitPart[], i: number, modality: string): string {
  let row = i;
  for (const p of parts) {
    if (row < p.labels.length) return `${p.modalityWhere(modality)}[${row}]`;
    row -= p.labels.length;
  }
  return `row ${i}`;
}
