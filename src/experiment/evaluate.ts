// Evaluation of a trained run on one split: recompute predictions and report the metrics of
// dmil-method.md, each with its interval, from the one prediction record every paradigm gives.
import * as path from 'node:path';
import { bootstrapInterval, wilsonInterval, type Interval } from '../analysis/intervals';
import { accuracy, argmaxRows, confusionMatrix, macroF1, perClassAccuracy, perTypeAccuracy, synergyIndicator } from '../analysis/metrics';
import type { Dataset, EvalSplit } from '../data/dataset';
import { splitIndices } from '../data/dataset';
import { typeList, type InteractionType } from '../interactionTypes';
import type { ParadigmModel } from '../paradigms/paradigm';
import { writeJsonAtomic } from '../runs/atomic';
import { ensureFolder } from '../runs/storage';
import { runFiles } from '../runs/runFolder';
import { UserError } from '../errors';
import { fitLabelProbes } from './labelProbe';
import { predictSamples, type Predictions } from './predict';

export const INTERVALS = 'accuracy: Wilson score interval, 95%; macro-F1: percentile bootstrap over samples (1000 resamples, seeded), 95%';

export interface EvalReport {
  run: string;
  paradigm: string;
  split: EvalSplit;
  samples: number;
  accuracy: number;
  accuracy_ci: Interval;
  macro_f1: number;
  macro_f1_ci: Interval;
  /** How the intervals were computed. */
  intervals: string;
  /** counts[true class][predicted class], classes in the data's class order. */
  confusion: { classes: string[]; counts: number[][] };
  /** Recall per class, keyed by the data's class names. */
  per_class: Record<string, number | null>;
  /** Accuracy per interaction type, where the data knows types. */
  per_type: Record<InteractionType, number | null> | null;
  per_type_ci: Record<InteractionType, Interval | null> | null;
  /** Share right while every unimodal predictor is wrong; null without unimodal predictors. */
  synergy_indicator: number | null;
  /** The run whose unimodal predictors the synergy indicator used (`eval --reference`), if not the model's own. */
  synergy_reference?: string;
  /** Accuracy of the model's own unimodal predictors, where it has them. */
  unimodal_accuracy: Record<string, number> | null;
  /** Accuracy of each interaction component's own prediction (DMIL). */
  component_accuracy: Record<string, number> | null;
  /** Mean gate weights overall (DMIL). */
  gate_mean: Record<string, number> | null;
  /** Accuracy with its Wilson interval and sample count per group, where the data names groups (`data.group`). */
  per_group: Record<string, { accuracy: number; ci: Interval; samples: number }> | null;
  /** Mean gate weights by group (DMIL with `data.group`): group -> component -> weight. */
  gate_by_group: Record<string, Record<string, number> | null> | null;
  /** Mean gate weights by interaction type, where types are known (DMIL): type -> component -> weight. */
  gate_by_type: Record<string, Record<string, number> | null> | null;
  /**
   * Label information left in representations meant to carry none (DMIL's N_m): accuracy of a
   * fresh probe fitted on them (train split, selected on val), on these samples; with the
   * accuracy of always predicting the most frequent training class for scale.
   */
  n_probe_accuracy: Record<string, number> | null;
  /** The same probe on the full representation each N was cut from (z_m): what a probe of its size reads there at most. */
  n_probe_ceiling?: Record<string, number> | null;
  n_probe_chance: number | null;
  /** Where the data came from, for evaluations on data other than the run's own. */
  data?: unknown;
  /** Samples the label transform removed before the split (data.label_transform): in no split, in no metric. */
  dropped?: { count: number; why: string };
}

const accuracyOf = (probs: Float32Array, p: Predictions) => accuracy(argmaxRows(probs, p.classes), p.labels);

export interface ReportExtras {
  nProbe?: { accuracy: Record<string, number>; ceiling: Record<string, number>; chance: number } | null;
  data?: unknown;
  /** Unimodal predictions of another run on the same samples, for the synergy indicator (`eval --reference`). */
  reference?: { run: string; unimodal: Record<string, Float32Array> };
}

export function evaluatePredictions(run: string, paradigm: string, split: EvalSplit, p: Predictions, extras: ReportExtras = {}): EvalReport {
  const { labels, types } = p;
  const pred = argmaxRows(p.probs, p.classes);
  // The synergy indicator's unimodal predictors: a reference run's when given, else the model's own.
  const unimodal = extras.reference?.unimodal ?? p.unimodal;
  const uni = unimodal ? Object.values(unimodal).map((u) => argmaxRows(u, p.classes)) : undefined;
  const perClass = perClassAccuracy(pred, labels, p.classes);
  const hits = labels.reduce((a, y, i) => a + (pred[i] === y ? 1 : 0), 0);
  const subset = (idx: Int32Array) => macroF1(Int32Array.from(idx, (i) => pred[i]), Int32Array.from(idx, (i) => labels[i]), p.classes);
  const perType = types ? perTypeAccuracy(pred, labels, types) : null;
  const components = p.components ? Object.keys(p.components) : [];
  return {
    run,
    paradigm,
    split,
    samples: labels.length,
    accuracy: accuracy(pred, labels),
    accuracy_ci: wilsonInterval(hits, labels.length),
    macro_f1: macroF1(pred, labels, p.classes),
    macro_f1_ci: bootstrapInterval(labels.length, subset),
    intervals: INTERVALS,
    confusion: { classes: p.classNames, counts: confusionMatrix(pred, labels, p.classes) },
    per_class: Object.fromEntries(p.classNames.map((name, c) => [name, perClass[c]])),
    per_type: perType,
    per_type_ci: perType && types
      ? Object.fromEntries(typeList(types).map((t) => {
        const n = types.filter((x) => x === t).length;
        return [t, n ? wilsonInterval(Math.round(perType[t]! * n), n) : null];
      })) as Record<InteractionType, Interval | null>
      : null,
    synergy_indicator: uni ? synergyIndicator(pred, uni, labels) : null,
    ...(extras.reference ? { synergy_reference: extras.reference.run } : {}),
    unimodal_accuracy: p.unimodal ? Object.fromEntries(Object.entries(p.unimodal).map(([m, u]) => [m, accuracyOf(u, p)])) : null,
    component_accuracy: p.components ? Object.fromEntries(Object.entries(p.components).map(([c, probs]) => [c, accuracyOf(probs, p)])) : null,
    gate_mean: p.gate ? meanGate(p.gate, components, () => true) : null,
    gate_by_type: p.gate && types ? Object.fromEntries(typeList(types).map((t) => [t, meanGate(p.gate!, components, (i) => types[i] === t)])) : null,
    per_group: p.groups ? Object.fromEntries(groupNames(p.groups).map((g) => {
      const rows = p.groups!.flatMap((x, i) => (x === g ? [i] : []));
      const hit = rows.reduce((a, i) => a + (pred[i] === labels[i] ? 1 : 0), 0);
      return [g, { accuracy: hit / rows.length, ci: wilsonInterval(hit, rows.length), samples: rows.length }];
    })) : null,
    gate_by_group: p.gate && p.groups ? Object.fromEntries(groupNames(p.groups).map((g) => [g, meanGate(p.gate!, components, (i) => p.groups![i] === g)])) : null,
    n_probe_accuracy: extras.nProbe?.accuracy ?? null,
    n_probe_ceiling: extras.nProbe?.ceiling ?? null,
    n_probe_chance: extras.nProbe?.chance ?? null,
    ...(extras.data === undefined ? {} : { data: extras.data }),
  };
}

/** The distinct groups, numerically when all are numbers, else alphabetically. */
export function groupNames(groups: readonly string[]): string[] {
  const unique = [...new Set(groups)];
  return unique.every((g) => g.trim() !== '' && !Number.isNaN(Number(g))) ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** Mean gate weight per component over the rows that `keep` selects; null when none are kept. */
export function meanGate(gate: Float32Array, components: string[], keep: (row: number) => boolean): Record<string, number> | null {
  const k = components.length;
  const sums = new Array<number>(k).fill(0);
  let n = 0;
  for (let i = 0; i < gate.length / k; i++) {
    if (!keep(i)) continue;
    n++;
    for (let c = 0; c < k; c++) sums[c] += gate[i * k + c];
  }
  return n === 0 ? null : Object.fromEntries(components.map((c, j) => [c, sums[j] / n]));
}

/** The reference run's unimodal predictions on `indices` (the same samples: checked by the caller). */
async function referenceOn(t: EvalTarget, indices: Int32Array): Promise<ReportExtras['reference']> {
  if (!t.reference) return undefined;
  const p = await predictSamples(t.reference.model, t.reference.data, indices, t.batchSize);
  if (!p.unimodal) throw new UserError(`run ${t.reference.runId} (${t.reference.model.paradigm}) has no unimodal predictors`, { where: '--reference', hint: 'name an ensemble, late-fusion or dmil run trained on the same data' });
  return { run: t.reference.runId, unimodal: p.unimodal };
}

export interface EvalTarget {
  runId: string;
  runDir: string;
  model: ParadigmModel;
  data: Dataset;
  batchSize: number;
  /** Seed of the label probe. */
  seed: number;
  /** Whether to write eval/<file>.json (false for a read-only run folder). */
  save?: boolean;
  /** A run with unimodal predictors on the same samples, for the synergy indicator of a model without them. */
  reference?: { runId: string; model: ParadigmModel; data: Dataset };
}

/**
 * Evaluates splits and writes eval/<file>.json for each into the run (`file` defaults to the
 * split name; evaluations on other data use their own name so the run's own results stay).
 */
export async function evaluateSplits(t: EvalTarget, splits: { split: EvalSplit; file?: string; data?: unknown }[]): Promise<EvalReport[]> {
  const probes = await fitLabelProbes(t.model, t.data, t.batchSize, t.seed);
  try {
    const reports: EvalReport[] = [];
    for (const { split, file, data } of splits) {
      const indices = splitIndices(t.data, split);
      const predictions = await predictSamples(t.model, t.data, indices, t.batchSize);
      const evaluated = evaluatePredictions(t.runId, t.model.paradigm, split, predictions, { nProbe: (await probes?.score(indices)) ?? null, data, reference: await referenceOn(t, indices) });
      const report = t.data.dropped ? { ...evaluated, dropped: t.data.dropped } : evaluated;
      if (t.save !== false) {
        const folder = path.join(t.runDir, runFiles.eval);
        ensureFolder(folder);
        writeJsonAtomic(path.join(folder, `${file ?? split}.json`), report);
      }
      reports.push(report);
    }
    return reports;
  } finally {
    probes?.dispose();
  }
}
