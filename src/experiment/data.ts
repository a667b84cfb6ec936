// From a config to the dataset a model sees: load the source, then standardise with statistics
// from the training split (at train time) or from the run (at evaluation time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config/schema';
import type { Dataset } from '../data/dataset';
import { featureSize } from '../data/dataset';
import { applyStandardiser, fitStandardiser, type FeatureStats } from '../data/normalize';
import { generateSynthetic } from '../data/synthetic';
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

export function loadSource(config: Config): Dataset {
  switch (config.data.source) {
    case 'synthetic':
      return generateSynthetic(config.data, config.seed);
  }
}

export function modelSpec(d: Dataset): ModelSpec {
  return { inputDims: d.modalities.map(featureSize), modalityNames: d.modalities.map((m) => m.name), classes: d.classNames.length, classPrior: classPrior(d) };
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

export function prepareForTraining(config: Config): { data: Dataset; info: DataInfo } {
  const raw = loadSource(config);
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

/** The dataset as the run's model expects it: same source, the run's standardisation. */
export function prepareForRun(config: Config, info: DataInfo): Dataset {
  return applyStandardiser(loadSource(config), info.standardisation);
}
