// From a config to the dataset a model sees: load the source, then standardise with statistics
// from the training split (at train time) or from the run (at evaluation time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config/schema';
import type { Dataset } from '../data/dataset';
import { featureSize, splitIndices, SPLITS } from '../data/dataset';
import { contentSha256, fileChange, fingerprintData, fingerprintFiles, type DataFingerprint } from '../data/fingerprint';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { fitStandardiser, standardiseInPlace, type FeatureStats } from '../data/normalize';
import type { NonfiniteCount } from '../data/nonfinite';
import { generateSynthetic } from '../data/synthetic';
import { generateLiang } from '../data/liangSource';
import { loadCsv } from '../data/csvSource';
import { loadIdx } from '../data/idxSource';
import { encodeLabels } from '../data/labels';
import { loadNpy } from '../data/npySource';
import { loadNpySplits } from '../data/npySplits';
import { loadPairs } from '../data/pairsSource';
import { loadPickle } from '../data/pickleSource';
import { loadHdf5 } from '../data/hdf5Source';
import { UserError } from '../errors';
import { DamagedFile, readRunJson } from '../runs/damaged';
import type { ModelSpec } from '../paradigms/paradigm';
import { runFiles } from '../runs/runFolder';

/** What a run stores about its data: enough to read new data the same way. */
export interface DataInfo {
  source: string;
  samples: number;
  classNames: string[];
  modalities: { name: string; shape: number[] }[];
  splitSizes: { train: number; val: number; test: number };
  standardisation: FeatureStats[];
  /** The input files and samples the run was trained on (absent in runs made before dmil 0.2). */
  fingerprint?: DataFingerprint;
  /** NaN and infinite feature values replaced by 0 (`data.nonfinite: zero`), per modality; absent when there were none. */
  nonfinite?: NonfiniteCount[];
  /** Samples the label transform removed before the split (`data.label_transform`); absent when none. */
  dropped?: { count: number; why: string };
}

/** `newData`: data a finished run predicts on, which may come without labels (CSV). */
export async function loadSource(config: Config, newData = false): Promise<Dataset> {
  switch (config.data.source) {
    case 'synthetic':
      return generateSynthetic(config.data, config.seed);
    case 'liang2023':
      return generateLiang(config.data, config.seed);
    case 'csv':
      return loadCsv(config.data, config.seed, newData);
    case 'npy':
      return config.data.splits ? loadNpySplits(config.data, config.seed) : loadNpy(config.data, config.seed);
    case 'idx':
      return loadIdx(config.data, config.seed);
    case 'pairs':
      return loadPairs(config.data, config.seed);
    case 'pickle':
      return loadPickle(config.data, config.seed);
    case 'hdf5':
      return loadHdf5(config.data, config.seed);
  }
}

export function modelSpec(d: Dataset): ModelSpec {
  return { inputDims: d.modalities.map(featureSize), inputShapes: d.modalities.map((m) => m.shape), modalityNames: d.modalities.map((m) => m.name), classes: d.classNames.length, classPrior: classPrior(d), rows: { count: d.labels.length, train: splitIndices(d, 'train') } };
}

/** p_train(y): the share of each class in the training split. */
export function classPrior(d: Dataset): number[] {
  const counts = new Array<number>(d.classNames.length).fill(0);
  let n = 0;
  d.split.forEach((s, i) => {
    if (s === 0 && d.labels[i] >= 0) {
      counts[d.labels[i]]++;
      n++;
    }
  });
  return counts.map((c) => c / Math.max(n, 1));
}

/** Where the data of a config comes from, for errors about the data as a whole. */
function dataWhere(config: Config): string {
  const d = config.data as { path?: string; labels?: string; images?: string };
  return d.path ?? d.labels ?? d.images ?? 'data';
}

/** The fewest samples a validation or test split may have: below it, accuracy moves in steps of 0.1 or more. */
export const MIN_EVAL_SAMPLES = 10;

/** What is wrong with a split's sizes for training and reporting, or null. */
export function splitProblem(sizes: { train: number; val: number; test: number }, classes: number): string | null {
  for (const [name, n] of [['validation', sizes.val], ['test', sizes.test]] as const) {
    if (n === 0) return `the ${name} split is empty`;
    if (n < MIN_EVAL_SAMPLES) return `the ${name} split has ${n} sample${n === 1 ? '' : 's'}; an accuracy on fewer than ${MIN_EVAL_SAMPLES} says little (each sample moves it by ${(1 / n).toFixed(2)})`;
  }
  if (sizes.train < 2 * classes) return `${classes} classes for ${sizes.train} training samples: fewer than 2 per class`;
  return null;
}

/**
 * Refuses labels that are measurements, not classes: numbers some of which are not whole (a
 * regression target read as hundreds of classes).
 */
export function requireClassLabels(classNames: readonly string[], where: string): void {
  const numbers = classNames.map(Number);
  if (!classNames.every((c) => c.trim() !== '' && Number.isFinite(Number(c)))) return;
  const fractional = classNames.find((c, i) => !Number.isInteger(numbers[i]));
  if (fractional !== undefined) {
    throw new UserError(`the labels are numbers with fractions (e.g. ${fractional}; ${classNames.length} distinct values): a regression target, not classes`, { where, hint: 'dmil trains classifiers; bin the target into classes first, or name the class column with data.label' });
  }
}

export async function prepareForTraining(config: Config): Promise<{ data: Dataset; info: DataInfo }> {
  const raw = await loadSource(config);
  const present = new Set(raw.labels).size;
  if (present < 2) {
    throw new UserError(`the data has ${present === 1 ? `a single class ("${raw.classNames[raw.labels[0]]}")` : 'no samples'}; a classifier needs at least two`, { where: dataWhere(config), hint: 'check the label column and the file' });
  }
  requireClassLabels(raw.classNames, dataWhere(config));
  const count = (s: number) => raw.split.reduce((a, v) => a + (v === s ? 1 : 0), 0);
  const problem = splitProblem({ train: count(0), val: count(1), test: count(2) }, raw.classNames.length);
  if (problem) throw new UserError(problem, { where: dataWhere(config), hint: 'use more samples, a larger data.split.val / data.split.test, or a split column with enough rows of each' });
  const stats = fitStandardiser(raw);
  const info: DataInfo = {
    source: config.data.source,
    samples: raw.labels.length,
    classNames: raw.classNames,
    modalities: raw.modalities.map((m) => ({ name: m.name, shape: m.shape })),
    splitSizes: { train: count(0), val: count(1), test: count(2) },
    standardisation: stats,
    fingerprint: fingerprintData(config.data, raw),
    ...(raw.nonfinite ? { nonfinite: raw.nonfinite } : {}),
    ...(raw.dropped ? { dropped: raw.dropped } : {}),
  };
  // The source's arrays are standardised where they are: the raw values are not needed again.
  return { data: standardiseInPlace(raw, stats), info };
}

/** data.json (class map, shapes, standardisation, fingerprints) and split.csv (every sample's split), by file name. */
export function dataInfoFiles(info: DataInfo, data: Dataset): Record<string, string> {
  return {
    [runFiles.data]: `${JSON.stringify(info, null, 2)}\n`,
    [runFiles.split]: stringify([['id', 'split'], ...data.ids.map((id, i) => [id, SPLITS[data.split[i]]])]),
  };
}

/** The split the run was trained with, by sample (sample order); undefined for runs without split.csv. */
function readRunSplit(runDir: string, ids: readonly string[]): Uint8Array | undefined {
  const file = path.join(runDir, runFiles.split);
  if (!fs.existsSync(file)) return undefined;
  let rows: { id: string; split: string }[];
  try {
    rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as { id: string; split: string }[];
  } catch (e) {
    throw new DamagedFile(file, `not a valid CSV (${(e as Error).message.split('\n')[0]})`);
  }
  const unknown = rows.find((r) => !(SPLITS as readonly string[]).includes(r.split));
  if (unknown) throw new DamagedFile(file, `unknown split "${unknown.split}" for sample ${unknown.id}`);
  if (rows.length !== ids.length || rows.some((r, i) => r.id !== ids[i])) {
    throw new UserError('the samples do not match the run\'s split.csv', { where: file, hint: 'the run folder was edited; evaluate new data with --set data...' });
  }
  return Uint8Array.from(rows, (r) => SPLITS.indexOf(r.split as (typeof SPLITS)[number]));
}

export function readDataInfo(runDir: string): DataInfo {
  const file = path.join(runDir, runFiles.data);
  const info = readRunJson(file) as DataInfo;
  if (!Array.isArray(info?.classNames) || !Array.isArray(info.modalities) || !info.splitSizes) throw new DamagedFile(file, 'no class names, modalities or split sizes');
  return info;
}

/**
 * The dataset as the run's model expects it: the run's class map, modality shapes and
 * standardisation, whatever file it comes from. On the run's own data (`own`), every input file
 * must be unchanged since training and the run's stored split is used; on new data (`--set
 * data...`) the files are whatever the user named, and their fingerprint is returned for the
 * record.
 */
export async function prepareForRun(config: Config, info: DataInfo, runDir: string, own: boolean): Promise<{ data: Dataset; fingerprint: DataFingerprint }> {
  const pinned = own ? info.fingerprint : undefined;
  for (const f of pinned?.files ?? []) {
    const change = fileChange(f);
    if (change) {
      throw new UserError(`${change}; the run's split and results refer to the file as it was`, {
        where: f.path,
        hint: `restore the file, or evaluate it as new data on purpose with --set ${f.key}=${f.path} (every row is evaluated)`,
      });
    }
  }
  const raw = await loadSource(config, !own);
  const fingerprint: DataFingerprint = { files: pinned?.files ?? fingerprintFiles(config.data), content: contentSha256(raw) };
  if (pinned && fingerprint.content !== pinned.content) {
    throw new UserError('the samples loaded from the run\'s config differ from those it was trained on', {
      where: 'data',
      hint: config.data.source === 'synthetic' || config.data.source === 'liang2023' ? 'the synthetic generator gives other data in this dmil version; train the run again' : 'the data source reads the files differently in this dmil version; train the run again',
    });
  }
  const names = raw.modalities.map((m) => `${m.name} [${m.shape.join(', ')}]`).join(', ');
  const expected = info.modalities.map((m) => `${m.name} [${m.shape.join(', ')}]`).join(', ');
  if (names !== expected) throw new UserError(`the data has modalities ${names}; the run was trained on ${expected}`, { where: 'data', hint: 'evaluate on data with the same layout' });
  const labels = raw.unlabelled ? raw.labels : encodeLabels(Array.from(raw.labels, (c) => raw.classNames[c]), info.classNames, (i) => `sample ${raw.ids[i]}`);
  const split = (own ? readRunSplit(runDir, raw.ids) : undefined) ?? raw.split;
  return { data: standardiseInPlace({ ...raw, labels, split, classNames: info.classNames }, info.standardisation), fingerprint };
}
