// From a config to the dataset a model sees: load the source, then standardise with statistics
// from the training split (at train time) or from the run (at evaluation time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config/schema';
import type { Dataset } from '../data/dataset';
import { featureSize } from '../data/dataset';
import { applyStandardiser, fitStandardiser, type FeatureStats } from '../data/normalize';
import { generateSynthetic } from '../data/synthetic';
import { loadCsv } from '../data/csvSource';
import { loadIdx } from '../data/idxSource';
import { encodeLabels } from '../data/labels';
import { loadNpy } from '../data/npySource';
import { UserError } from '../errors';
import type { ModelSpec } from '../paradigms/paradigm';
import { writeJsonAtomic } from '../runs/atomic';
import { runFiles } from '../runs/runFolder';

/** What a run stores about its data: enough to read new data the same way. */
export interface DataInfo {
  source: string;
  samples: number;
  classNames: string[];
  modalities: { name: string; shape: number[] }[];
  splitSizes: { train: number; val: number; test: number };
  standardisation: FeatureStats[];
}

export async function loadSource(config: Config): Promise<Dataset> {
  switch (config.data.source) {
    case 'synthetic':
      return generateSynthetic(config.data, config.seed);
    case 'csv':
      return loadCsv(config.data, config.seed);
    case 'npy':
      return loadNpy(config.data, config.seed);
    case 'idx':
      return loadIdx(config.data, config.seed);
  }
}

export function modelSpec(d: Dataset): ModelSpec {
  return { inputDims: d.modalities.map(featureSize), inputShapes: d.modalities.map((m) => m.shape), modalityNames: d.modalities.map((m) => m.name), classes: d.classNames.length, classPrior: classPrior(d) };
}

/** p_train(y): the share of each class in the training split. */
export function classPrior(d: Dataset): number[] {
  const counts = new Array<number>(d.classNames.length).fill(0);
  let n = 0;
  d.split.forEach((s, i) => {
    if (s === 0) {
      counts[d.labels[i]]++;
      n++;
    }
  });
  return counts.map((c) => c / Math.max(n, 1));
}

export async function prepareForTraining(config: Config): Promise<{ data: Dataset; info: DataInfo }> {
  const raw = await loadSource(config);
  for (const s of [0, 1] as const) {
    if (!raw.split.includes(s)) {
      throw new UserError(`the ${s === 0 ? 'training' : 'validation'} split is empty`, { where: 'data', hint: 'use more samples, or a split column with train and val rows' });
    }
  }
  const stats = fitStandardiser(raw);
  const count = (s: number) => raw.split.reduce((a, v) => a + (v === s ? 1 : 0), 0);
  const info: DataInfo = {
    source: config.data.source,
    samples: raw.labels.length,
    classNames: raw.classNames,
    modalities: raw.modalities.map((m) => ({ name: m.name, shape: m.shape })),
    splitSizes: { train: count(0), val: count(1), test: count(2) },
    standardisation: stats,
  };
  return { data: applyStandardiser(raw, stats), info };
}

export function writeDataInfo(runDir: string, info: DataInfo): void {
  writeJsonAtomic(path.join(runDir, runFiles.data), info);
}

export function readDataInfo(runDir: string): DataInfo {
  return JSON.parse(fs.readFileSync(path.join(runDir, runFiles.data), 'utf8')) as DataInfo;
}

/**
 * The dataset as the run's model expects it: the run's class map, modality shapes and
 * standardisation, whatever file it comes from (its own data, or new data via --set).
 */
export async function prepareForRun(config: Config, info: DataInfo): Promise<Dataset> {
  const raw = await loadSource(config);
  const names = raw.modalities.map((m) => `${m.name} [${m.shape.join(', ')}]`).join(', ');
  const expected = info.modalities.map((m) => `${m.name} [${m.shape.join(', ')}]`).join(', ');
  if (names !== expected) throw new UserError(`the data has modalities ${names}; the run was trained on ${expected}`, { where: 'data', hint: 'evaluate on data with the same layout' });
  const labels = encodeLabels(Array.from(raw.labels, (c) => raw.classNames[c]), info.classNames, (i) => `sample ${raw.ids[i]}`);
  return applyStandardiser({ ...raw, labels, classNames: info.classNames }, info.standardisation);
}
