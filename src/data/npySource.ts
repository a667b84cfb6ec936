// The npy source: one .npy file per modality ([N, ...]), labels from a .npy, and an optional
// split file (CSV id,split in sample order, or a .npy of 0/1/2).
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { LabelTransform, NpyConfig } from '../config/dataSchema';
import { describeDrop, transformLabels } from './labelTransform';
import { UserError } from '../errors';
import { requireFile } from './files';
import { Rng } from '../rng';
import { keepSamples, type Dataset, type ModalityData } from './dataset';
import { classNamesOf, encodeLabels, splitCode } from './labels';
import { readNpy } from './npy';
import { checkShape } from './shape';
import { stratifiedSplit } from './split';
import { applyNonfinite, type NonfiniteCount } from './nonfinite';

export function labelStrings(file: string): string[] {
  const a = readNpy(file);
  if (a.shape.length !== 1 && !(a.shape.length === 2 && a.shape[1] === 1)) {
    throw new UserError(`labels must have shape (N,), got (${a.shape.join(', ')})`, { where: file, hint: 'save a 1-D array of labels' });
  }
  if (Array.isArray(a.values)) return a.values;
  return Array.from(a.values, (v, i) => {
    if (!Number.isInteger(v)) throw new UserError(`label ${v} at index ${i} is not an integer`, { where: `${file}[${i}]`, hint: 'save integer or string labels' });
    return String(v);
  });
}

/**
 * Each sample's class name: the file's integer or string labels, or with a transform its numbers
 * (shape (N,), (N, 1) or MultiBench's (N, 1, 1)) mapped to classes; null for a dropped sample.
 */
export function readLabels(file: string, transform?: LabelTransform): (string | null)[] {
  if (!transform) return labelStrings(file);
  const a = readNpy(file);
  if (Array.isArray(a.values)) throw new UserError('a label transform needs numeric labels, got strings', { where: file, hint: 'remove data.label_transform for class labels' });
  if (a.shape.length < 1 || a.shape.slice(1).some((d) => d !== 1)) {
    throw new UserError(`labels must have shape (N,), (N, 1) or (N, 1, 1), got (${a.shape.join(', ')})`, { where: file, hint: 'save one label per sample' });
  }
  return transformLabels(a.values, transform, (i) => `${file}[${i}]`);
}

/** Class names and codes of labels read by readLabels (a dropped sample gets the first class, until it is removed). */
export function encodeNamed(named: readonly (string | null)[], where: (i: number) => string): { classNames: string[]; labels: Int32Array } {
  const classNames = classNamesOf(named.filter((x): x is string => x !== null));
  return { classNames, labels: encodeLabels(named.map((x) => x ?? classNames[0]), classNames, where) };
}

/** The dataset without the samples whose label is null (dropped: `why`), recording how many and why. */
export function withoutDropped(d: Dataset, named: readonly (string | null)[], why: string | undefined): Dataset {
  const count = named.filter((x) => x === null).length;
  if (why === undefined || count === 0) return d;
  return { ...keepSamples(d, named.map((x) => x !== null)), dropped: { count, why } };
}

/** Why a label transform drops samples (undefined: it does not). */
export const dropReason = (t: LabelTransform | undefined): string | undefined => (t ? describeDrop(t) : undefined);

/** `data.group`: a .npy of N groups, or a column of the split file. */
function readGroups(group: string, n: number, splitFile: string | undefined): string[] {
  if (group.endsWith('.npy')) {
    const g = labelStrings(group);
    if (g.length !== n) throw new UserError(`has ${g.length} groups, the data has ${n} samples`, { where: group, hint: 'one group per sample, in sample order' });
    return g;
  }
  if (!splitFile || splitFile.endsWith('.npy')) {
    throw new UserError(`"${group}" is neither a .npy file nor a column of a CSV split file`, { where: 'data.group', hint: 'name a .npy of groups, or a column of data.split_file' });
  }
  const rows = parse(fs.readFileSync(splitFile, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (rows.length && !(group in rows[0])) throw new UserError(`the split file has no column "${group}"`, { where: `${splitFile}:1`, hint: `columns: ${Object.keys(rows[0]).join(', ')}` });
  return rows.map((r) => r[group]);
}

function readSplitFile(file: string, n: number): { split: Uint8Array; ids?: string[] } {
  if (file.endsWith('.npy')) {
    const a = readNpy(file);
    if (Array.isArray(a.values) || a.shape[0] !== n) throw new UserError(`split must be ${n} integers 0/1/2, got shape (${a.shape.join(', ')})`, { where: file });
    return {
      split: Uint8Array.from(a.values, (v, i) => {
        if (v !== 0 && v !== 1 && v !== 2) throw new UserError(`unknown split value ${v}`, { where: `${file}[${i}]`, hint: 'use 0 (train), 1 (val) or 2 (test)' });
        return v;
      }),
    };
  }
  requireFile(file, 'split file');
  const rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (rows.length !== n) throw new UserError(`split file has ${rows.length} rows, the data has ${n} samples`, { where: file, hint: 'one row per sample, in sample order' });
  if (!rows.length || !('split' in rows[0])) throw new UserError('split file needs a "split" column (and an "id" column)', { where: `${file}:1` });
  return {
    split: Uint8Array.from(rows, (r, i) => splitCode(r.split, () => `${file}:${i + 2}:${Object.keys(r).indexOf('split') + 1}`)),
    ids: 'id' in rows[0] ? rows.map((r) => r.id) : undefined,
  };
}

/** One modality's .npy of n samples ([n, ...] numbers), with the config's shape and non-finite policy applied. */
export function readModalityFile(file: string, m: NpyConfig['modalities'][number], n: number, labelsFile: string, policy: NpyConfig['nonfinite'], nonfinite: NonfiniteCount[]): ModalityData {
  const a = readNpy(file);
  if (Array.isArray(a.values)) throw new UserError('features must be numeric, got strings', { where: file });
  if (a.shape[0] !== n) {
    throw new UserError(`has ${a.shape[0]} samples, ${path.basename(labelsFile)} has ${n} labels`, { where: file, hint: 'every modality file needs one row per label, in the same order' });
  }
  if (a.shape.length < 2) throw new UserError(`features must have shape (N, ...), got (${a.shape.join(', ')})`, { where: file, hint: 'reshape to (N, 1) for a single feature' });
  const f = a.values.length / n;
  const found = applyNonfinite(a.values, m.name, policy, (i) => `${file}[${Math.floor(i / f)}, ${i % f}]`);
  if (found) nonfinite.push(found);
  const shape = checkShape(m.shape, f, `data.modalities (${m.name})`);
  return { name: m.name, shape: m.shape ? shape : a.shape.slice(1), values: a.values };
}

/** One file per modality and one of labels (files per split: npySplits.ts). */
export function loadNpy(cfg: NpyConfig, seed: number): Dataset {
  const labelsFile = cfg.labels!;
  const named = readLabels(labelsFile, cfg.label_transform);
  const n = named.length;
  const nonfinite: NonfiniteCount[] = [];
  const modalities = cfg.modalities.map((m) => readModalityFile(m.path!, m, n, labelsFile, cfg.nonfinite, nonfinite));
  const { classNames, labels } = encodeNamed(named, (i) => `${labelsFile}[${i}]`);
  const fromFile = cfg.split_file ? readSplitFile(cfg.split_file, n) : undefined;
  const split = fromFile?.split ?? stratifiedSplit(labels, classNames.length, cfg.split.val, cfg.split.test, Rng.derive(cfg.seed ?? seed, 'split'));
  const groups = cfg.group ? readGroups(cfg.group, n, cfg.split_file) : undefined;
  const data: Dataset = { modalities, labels, classNames, ids: fromFile?.ids ?? named.map((_, i) => String(i)), split, ...(groups ? { groups } : {}), ...(nonfinite.length ? { nonfinite } : {}) };
  return withoutDropped(data, named, dropReason(cfg.label_transform));
}
