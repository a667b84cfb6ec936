// The hdf5 source: modalities, labels and ids by dataset path (MM-IMDb's multimodal_imdb.hdf5:
// features (N, 300), vgg_features (N, 4096), genres (N, 23), imdb_ids), split by row ranges, by a
// split dataset, or stratified by `data.split`. Labels are integers or strings, numbers through a
// label transform, or one-hot rows.
import type { Hdf5Config } from '../config/dataSchema';
import { UserError } from '../errors';
import { Rng } from '../rng';
import type { Dataset, ModalityData, SplitName } from './dataset';
import { requireFits } from './files';
import { Hdf5Reader, type Hdf5Array } from './hdf5';
import { transformLabels } from './labelTransform';
import { classLabelStrings, splitCode } from './labels';
import { applyNonfinite, type NonfiniteCount } from './nonfinite';
import { dropReason, encodeNamed, withoutDropped } from './npySource';
import { checkShape } from './shape';
import { sampleWhere, stackParts, type SplitPart } from './splitParts';
import { stratifiedSplit } from './split';

const NOT_ONEHOT = 'label row not exactly one-hot (data.onehot_other: drop)';

/** Each row's class name (null: dropped) and why rows were dropped. */
function readLabels(ds: Hdf5Array, cfg: Hdf5Config, file: string): { named: (string | null)[]; why?: string } {
  const [n, ...rest] = ds.shape;
  const at = (i: number) => `${file}:${cfg.labels}[${i}]`;
  const width = rest.reduce((a, b) => a * b, 1);
  if (rest.length === 1 && width > 1) {
    if (cfg.label_transform) throw new UserError(`labels "${cfg.labels}" are rows of ${width} (one-hot), not one number per sample`, { where: file, hint: 'remove data.label_transform for one-hot labels' });
    const values = ds.rows(0, n) as number[];
    const named = Array.from({ length: n }, (_, i) => {
      const row = values.slice(i * width, (i + 1) * width);
      const ones = row.filter((v) => v === 1).length;
      if (ones === 1 && row.every((v) => v === 0 || v === 1)) return String(row.indexOf(1));
      if (cfg.onehot_other === 'drop') return null;
      throw new UserError(`label row ${i} is not one-hot (${ones} of ${width} entries are 1${row.every((v) => v === 0 || v === 1) ? '' : ', others are not 0 or 1'})`, {
        where: at(i), hint: 'dmil trains single-label classifiers; set data.onehot_other: drop to leave such rows out (a single-label subset)',
      });
    });
    return { named, why: NOT_ONEHOT };
  }
  if (rest.some((d) => d !== 1)) throw new UserError(`labels "${cfg.labels}" have shape (${ds.shape.join(', ')}); expected (N,), (N, 1) or one-hot (N, C)`, { where: file });
  const values = ds.rows(0, n);
  if (cfg.label_transform) {
    if (ds.text) throw new UserError('a label transform needs numeric labels, got strings', { where: file, hint: 'remove data.label_transform for class labels' });
    return { named: transformLabels(values as number[], cfg.label_transform, at), why: dropReason(cfg.label_transform) };
  }
  return { named: classLabelStrings(values, at) };
}

function modalityArrays(reader: Hdf5Reader, cfg: Hdf5Config, n: number): { arrays: Hdf5Array[]; shapes: number[][] } {
  const arrays = cfg.modalities.map((m) => {
    const ds = reader.dataset(m.dataset ?? m.name, `modality ${m.name}`);
    if (ds.text || ds.shape.length < 2 || ds.shape[0] !== n) {
      throw new UserError(`dataset "${ds.path}" (modality ${m.name}) has shape (${ds.shape.join(', ')})${ds.text ? ' of strings' : ''}; expected (${n}, ...) numbers, one row per label`, { where: reader.file, hint: 'name a numeric dataset with a row per sample' });
    }
    return ds;
  });
  const shapes = arrays.map((ds, mi) => {
    const m = cfg.modalities[mi];
    const shape = checkShape(m.shape, ds.shape.slice(1).reduce((a, b) => a * b, 1), `data.modalities (${m.name})`);
    return m.shape ? shape : ds.shape.slice(1);
  });
  requireFits(n * shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0), reader.file, 'use fewer modalities or a machine with more memory');
  return { arrays, shapes };
}

export async function loadHdf5(cfg: Hdf5Config, seed: number): Promise<Dataset> {
  const reader = await Hdf5Reader.open(cfg.path);
  try {
    const labelsSet = reader.dataset(cfg.labels, 'data.labels');
    const n = labelsSet.shape[0] ?? 0;
    const { named, why } = readLabels(labelsSet, cfg, cfg.path);
    const { arrays, shapes } = modalityArrays(reader, cfg, n);
    const ids = cfg.ids === undefined ? undefined : readIds(reader, cfg.ids, n);
    return cfg.splits ? byRanges(cfg, seed, { reader, named, why, arrays, shapes, ids, n }) : whole(cfg, seed, { reader, named, why, arrays, shapes, ids, n });
  } finally {
    reader.close();
  }
}

function readIds(reader: Hdf5Reader, path: string, n: number): string[] {
  const ds = reader.dataset(path, 'data.ids');
  if (ds.shape[0] !== n || ds.shape.slice(1).some((d) => d !== 1)) throw new UserError(`ids "${path}" have shape (${ds.shape.join(', ')}); expected (${n},)`, { where: reader.file });
  return ds.rows(0, n).map(String);
}

interface Read { reader: Hdf5Reader; named: (string | null)[]; why?: string; arrays: Hdf5Array[]; shapes: number[][]; ids?: string[]; n: number }

/** Splits as row ranges: each range is a part, stacked train, val, test. */
function byRanges(cfg: Hdf5Config, seed: number, r: Read): Dataset {
  const ranges = (['train', 'val', 'test'] as SplitName[]).flatMap((name) => (cfg.splits![name] ? [{ name, range: cfg.splits![name]! }] : []));
  for (const { name, range } of ranges) {
    if (range[1] > r.n) throw new UserError(`data.splits.${name} ends at row ${range[1]}, the file has ${r.n} rows`, { where: `data.splits.${name}`, hint: `ranges end at most at ${r.n}` });
  }
  const sorted = [...ranges].sort((a, b) => a.range[0] - b.range[0]);
  sorted.slice(1).forEach((x, i) => {
    if (x.range[0] < sorted[i].range[1]) throw new UserError(`data.splits.${x.name} [${x.range.join(', ')}] overlaps data.splits.${sorted[i].name} [${sorted[i].range.join(', ')}]`, { where: `data.splits.${x.name}`, hint: 'a sample belongs to one split' });
  });
  const parts: SplitPart[] = ranges.map(({ name, range: [a, b] }) => ({
    name,
    labels: r.named.slice(a, b),
    shapes: r.shapes,
    ids: r.ids?.slice(a, b),
    labelWhere: (row: number) => `${cfg.path}:${cfg.labels}[${a + row}]`,
    modalityWhere: (m: string) => `${cfg.path}:${cfg.modalities.find((x) => x.name === m)?.dataset ?? m}[${a}:${b}]`,
  }));
  const nonfinite: NonfiniteCount[] = [];
  const fill = (mi: number, out: Float32Array) => {
    const f = r.shapes[mi].reduce((x, y) => x * y, 1);
    let offset = 0;
    for (const { range: [a, b] } of ranges) {
      r.arrays[mi].writeRows(a, b, out, offset);
      offset += (b - a) * f;
    }
    const name = cfg.modalities[mi].name;
    const found = applyNonfinite(out, name, cfg.nonfinite, (i) => sampleWhere(parts, Math.floor(i / f), name));
    if (found) nonfinite.push(found);
  };
  return stackParts(parts, { modalities: cfg.modalities.map((m) => m.name), dropWhy: r.why, val_from_train: cfg.val_from_train, seed: cfg.seed }, seed, fill, nonfinite);
}

/** Every row: split by a split dataset, or stratified by `data.split`. */
function whole(cfg: Hdf5Config, seed: number, r: Read): Dataset {
  const nonfinite: NonfiniteCount[] = [];
  const modalities: ModalityData[] = cfg.modalities.map((m, mi) => {
    const f = r.shapes[mi].reduce((x, y) => x * y, 1);
    const values = new Float32Array(r.n * f);
    r.arrays[mi].writeRows(0, r.n, values, 0);
    const found = applyNonfinite(values, m.name, cfg.nonfinite, (i) => `${cfg.path}:${m.dataset ?? m.name}[${Math.floor(i / f)}]`);
    if (found) nonfinite.push(found);
    return { name: m.name, shape: r.shapes[mi], values };
  });
  const { classNames, labels } = encodeNamed(r.named, (i) => `${cfg.path}:${cfg.labels}[${i}]`);
  const split = cfg.split_dataset ? splitCodes(r.reader, cfg.split_dataset, r.n) : stratifiedSplit(labels, classNames.length, cfg.split.val, cfg.split.test, Rng.derive(cfg.seed ?? seed, 'split'));
  const data: Dataset = { modalities, labels, classNames, ids: r.ids ?? r.named.map((_, i) => String(i)), split, ...(nonfinite.length ? { nonfinite } : {}) };
  return withoutDropped(data, r.named, r.why);
}

function splitCodes(reader: Hdf5Reader, path: string, n: number): Uint8Array {
  const ds = reader.dataset(path, 'data.split_dataset');
  if (ds.shape[0] !== n || ds.shape.slice(1).some((d) => d !== 1)) throw new UserError(`split dataset "${path}" has shape (${ds.shape.join(', ')}); expected (${n},)`, { where: reader.file });
  return Uint8Array.from(ds.rows(0, n) as (number | string)[], (v, i) => {
    if (typeof v === 'number') {
      if (v === 0 || v === 1 || v === 2) return v;
      throw new UserError(`unknown split value ${v}`, { where: `${reader.file}:${path}[${i}]`, hint: 'use 0 (train), 1 (val) or 2 (test)' });
    }
    return splitCode(v === 'valid' ? 'val' : v, () => `${reader.file}:${path}[${i}]`);
  });
}
