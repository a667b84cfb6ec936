// The npy source with one file set per split, as benchmarks ship them (AV-MNIST:
// image/{train,test}_data.npy, audio/{train,test}_data.npy, {train,test}_labels.npy; MultiBench
// takes the last 5,000 training samples for validation). The splits are read in the order train,
// val, test and stacked; a validation split taken from training (`data.val_from_train`: the last
// N, or a seeded class-stratified fraction) is recorded in split.csv like every split. Ids are
// `<split file>/<row>`, so each sample can be found in its file.
import type { NpyConfig } from '../config/dataSchema';
import { UserError } from '../errors';
import { Rng } from '../rng';
import type { Dataset, ModalityData } from './dataset';
import { encodeNamed, readLabels, readModalityFile, withoutDropped } from './npySource';
import type { NonfiniteCount } from './nonfinite';
import { stratifiedSplit } from './split';

type SplitFiles = NonNullable<NpyConfig['splits']>['train'];
const ORDER = ['train', 'val', 'test'] as const;

export function loadNpySplits(cfg: NpyConfig, seed: number): Dataset {
  const splits = cfg.splits!;
  const nonfinite: NonfiniteCount[] = [];
  const parts = ORDER.flatMap((name, code) => {
    const files: SplitFiles | undefined = splits[name];
    if (!files) return [];
    const raw = readLabels(files.labels, cfg.label_transform);
    const modalities = cfg.modalities.map((m) => readModalityFile(files.modalities[m.name], m, raw.length, files.labels, cfg.nonfinite, nonfinite));
    return [{ name, code, raw, modalities, files }];
  });
  // Every split's samples must have the same shape per modality.
  cfg.modalities.forEach((m, mi) => {
    const first = parts[0].modalities[mi].shape;
    for (const p of parts.slice(1)) {
      const shape = p.modalities[mi].shape;
      if (shape.join() !== first.join()) {
        throw new UserError(`modality ${m.name} has samples of shape [${shape.join(', ')}] in the ${p.name} split and [${first.join(', ')}] in the ${parts[0].name} split`, { where: p.files.modalities[m.name], hint: 'every split must give a modality the same shape' });
      }
    }
  });
  const raw = parts.flatMap((p) => p.raw);
  const where = (i: number) => {
    let offset = i;
    for (const p of parts) {
      if (offset < p.raw.length) return `${p.files.labels}[${offset}]`;
      offset -= p.raw.length;
    }
    return `row ${i}`;
  };
  const { classNames, labels } = encodeNamed(raw, where);
  const split = Uint8Array.from(parts.flatMap((p) => p.raw.map(() => p.code)));
  const modalities: ModalityData[] = cfg.modalities.map((m, mi) => {
    const values = new Float32Array(parts.reduce((a, p) => a + p.modalities[mi].values.length, 0));
    let offset = 0;
    for (const p of parts) {
      values.set(p.modalities[mi].values, offset);
      offset += p.modalities[mi].values.length;
    }
    return { name: m.name, shape: parts[0].modalities[mi].shape, values };
  });
  const ids = parts.flatMap((p) => p.raw.map((_, r) => `${p.name}/${r}`));
  // Dropped samples go first, so a validation share is taken from what remains.
  const data = withoutDropped({ modalities, labels, classNames, ids, split, ...(nonfinite.length ? { nonfinite } : {}) }, raw, cfg.label_transform);
  if (!splits.val) takeValidation(cfg, data.labels, classNames.length, data.split, Rng.derive(cfg.seed ?? seed, 'split'));
  return data;
}

/** Marks validation samples (1) among the training ones (0) by `data.val_from_train`. */
function takeValidation(cfg: NpyConfig, labels: Int32Array, classes: number, split: Uint8Array, rng: Rng): void {
  const train = Array.from(split.keys()).filter((i) => split[i] === 0);
  const rule = cfg.val_from_train!;
  if (rule.last !== undefined) {
    if (rule.last >= train.length) {
      throw new UserError(`data.val_from_train.last is ${rule.last}, the training files hold ${train.length} samples`, { where: 'data.val_from_train.last', hint: `take fewer than ${train.length}` });
    }
    for (const i of train.slice(train.length - rule.last)) split[i] = 1;
    return;
  }
  // A class-stratified draw from the training samples only.
  const trainLabels = Int32Array.from(train, (i) => labels[i]);
  const chosen = stratifiedSplit(trainLabels, classes, rule.fraction!, 0, rng);
  train.forEach((i, k) => {
    if (chosen[k] === 1) split[i] = 1;
  });
}
