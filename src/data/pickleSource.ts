// The pickle source: MultiBench's affect files as they ship, a dict {train, valid, test} of dicts
// {vision, audio, text, labels, id} of numpy arrays (vision (N, 50, 35), labels (N, 1, 1), ...).
// The file is parsed once (pickle.ts: only numpy's reconstruction runs); each modality's splits
// are then written straight into one float32 array, so the peak is the file plus the features.
import type { PickleConfig } from '../config/dataSchema';
import { UserError } from '../errors';
import type { Dataset, SplitName } from './dataset';
import { requireFits } from './files';
import { itemCount, toNumbers, toStrings, writeFloat32, type NdArray } from './ndarray';
import { applyNonfinite, type NonfiniteCount } from './nonfinite';
import { readPickle, type PyValue } from './pickle';
import { checkShape } from './shape';
import { dropReason } from './npySource';
import { sampleWhere, stackParts, type SplitPart } from './splitParts';
import { transformLabels } from './labelTransform';
import { classLabelStrings } from './labels';

const isArray = (v: PyValue | undefined): v is NdArray => typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v;

/** `dict[key]`, or one line listing the keys there are. */
function entry(dict: PyValue | undefined, key: string, where: string, file: string): PyValue {
  if (!(dict instanceof Map)) throw new UserError(`${where} is not a dict`, { where: file, hint: 'the pickle must be a dict of splits, each a dict of arrays' });
  if (!dict.has(key)) throw new UserError(`${where} has no key "${key}"`, { where: file, hint: `keys there: ${[...dict.keys()].join(', ')}` });
  return dict.get(key)!;
}

function arrayAt(dict: PyValue, key: string, where: string, file: string): NdArray {
  const v = entry(dict, key, where, file);
  if (!isArray(v)) throw new UserError(`${where}["${key}"] is not a numpy array`, { where: file, hint: 'features, labels and ids must be numpy arrays' });
  return v;
}

/** Each sample's class name from a split's label array (numbers through a transform, or classes). */
function splitLabels(a: NdArray, cfg: PickleConfig, where: string): (string | null)[] {
  if (a.shape.slice(1).some((d) => d !== 1)) throw new UserError(`${where} must hold one label per sample, got shape (${a.shape.join(', ')})`, { hint: 'labels of shape (N,), (N, 1) or (N, 1, 1)' });
  const at = (i: number) => `${where}[${i}]`;
  if (cfg.label_transform) return transformLabels(toNumbers(a, where), cfg.label_transform, at);
  // Numeric labels must be whole numbers (classes); strings and bytes are class names.
  return classLabelStrings('bytes' in a ? Array.from(toNumbers(a, where)) : toStrings(a, where), at);
}

export function loadPickle(cfg: PickleConfig, seed: number): Dataset {
  const file = cfg.path;
  const root = readPickle(file);
  const order: [SplitName, string | null][] = [['train', cfg.splits.train], ['val', cfg.splits.val], ['test', cfg.splits.test]];
  const arrays: NdArray[][] = [];
  const parts: SplitPart[] = order.flatMap(([name, key]) => {
    if (key === null) return [];
    const dict = entry(root, key, 'the pickle', file);
    const where = `["${key}"]`;
    const labelsArray = arrayAt(dict, cfg.labels, where, file);
    const labels = splitLabels(labelsArray, cfg, `${file}${where}["${cfg.labels}"]`);
    const n = labels.length;
    const modalities = cfg.modalities.map((m) => {
      const a = arrayAt(dict, m.key ?? m.name, where, file);
      if (a.shape[0] !== n || a.shape.length < 2) {
        throw new UserError(`${where}["${m.key ?? m.name}"] has shape (${a.shape.join(', ')}), expected (${n}, ...): one row per label`, { where: file, hint: 'every modality needs one row per sample of its split' });
      }
      return a;
    });
    arrays.push(modalities);
    const shapes = modalities.map((a, mi) => checkShape(cfg.modalities[mi].shape, itemCount(a.shape.slice(1)), `data.modalities (${cfg.modalities[mi].name})`));
    const ids = cfg.ids === undefined ? undefined : toStrings(arrayAt(dict, cfg.ids, where, file), `${file}${where}["${cfg.ids}"]`);
    if (ids && ids.length !== n) throw new UserError(`${where}["${cfg.ids}"] holds ${ids.length} ids for ${n} samples`, { where: file });
    return [{ name, labels, shapes: cfg.modalities.map((m, mi) => (m.shape ? shapes[mi] : modalities[mi].shape.slice(1))), ids, labelWhere: (r: number) => `${file}${where}["${cfg.labels}"][${r}]`, modalityWhere: (m: string) => `${file}${where}["${m}"]` }];
  });
  const total = parts.reduce((a, p) => a + p.labels.length, 0);
  requireFits(total * parts[0].shapes.reduce((a, s) => a + itemCount(s), 0), file, 'use fewer modalities or a machine with more memory');
  const nonfinite: NonfiniteCount[] = [];
  const fill = (mi: number, out: Float32Array) => {
    let offset = 0;
    for (const [pi, p] of arrays.entries()) {
      writeFloat32(p[mi], out, offset, parts[pi].modalityWhere(cfg.modalities[mi].key ?? cfg.modalities[mi].name));
      offset += itemCount(p[mi].shape);
    }
    const f = itemCount(parts[0].shapes[mi]);
    const found = applyNonfinite(out, cfg.modalities[mi].name, cfg.nonfinite, (i) => sampleWhere(parts, Math.floor(i / f), cfg.modalities[mi].key ?? cfg.modalities[mi].name));
    if (found) nonfinite.push(found);
  };
  return stackParts(parts, { modalities: cfg.modalities.map((m) => m.name), dropWhy: dropReason(cfg.label_transform), val_from_train: cfg.val_from_train ?? undefined, seed: cfg.seed }, seed, fill, nonfinite);
}
