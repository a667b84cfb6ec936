// The npy source with one file set per split, as benchmarks ship them (AV-MNIST:
// image/{train,test}_data.npy, audio/{train,test}_data.npy, {train,test}_labels.npy; MultiBench
// takes the last 5,000 training samples for validation). Stacking, shape checks and the
// validation rule: splitParts.ts. Ids are `<split>/<row>`, so each sample can be found in its file.
import type { NpyConfig } from '../config/dataSchema';
import type { Dataset, ModalityData } from './dataset';
import { dropReason, readLabels, readModalityFile } from './npySource';
import type { NonfiniteCount } from './nonfinite';
import { stackParts, type SplitPart } from './splitParts';

const ORDER = ['train', 'val', 'test'] as const;

export function loadNpySplits(cfg: NpyConfig, seed: number): Dataset {
  const splits = cfg.splits!;
  const nonfinite: NonfiniteCount[] = [];
  const read: ModalityData[][] = [];
  const parts: SplitPart[] = ORDER.flatMap((name) => {
    const files = splits[name];
    if (!files) return [];
    const labels = readLabels(files.labels, cfg.label_transform);
    const modalities = cfg.modalities.map((m) => readModalityFile(files.modalities[m.name], m, labels.length, files.labels, cfg.nonfinite, nonfinite));
    read.push(modalities);
    return [{ name, labels, shapes: modalities.map((m) => m.shape), labelWhere: (r: number) => `${files.labels}[${r}]`, modalityWhere: (m: string) => files.modalities[m] }];
  });
  const fill = (mi: number, out: Float32Array) => {
    let offset = 0;
    for (const p of read) {
      out.set(p[mi].values, offset);
      offset += p[mi].values.length;
    }
  };
  return stackParts(parts, { modalities: cfg.modalities.map((m) => m.name), dropWhy: dropReason(cfg.label_transform), val_from_train: cfg.val_from_train, seed: cfg.seed }, seed, fill, nonfinite);
}
