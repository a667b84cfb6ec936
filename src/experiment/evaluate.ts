// Evaluation of a trained run on one split: reload the model from its last stage checkpoint,
// recompute predictions, and report the metrics of dmil-method.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INTERACTION_TYPES, type InteractionType } from '../config/schema';
import { accuracy, argmaxRows, macroF1, perClassAccuracy, perTypeAccuracy, synergyIndicator } from '../analysis/metrics';
import type { Dataset, EvalSplit } from '../data/dataset';
import { splitIndices } from '../data/dataset';
import type { ParadigmModel } from '../paradigms/paradigm';
import { writeJsonAtomic } from '../runs/atomic';
import { runFiles } from '../runs/runFolder';
import { predictSamples, type Predictions } from './predict';

export interface EvalReport {
  run: string;
  paradigm: string;
  split: EvalSplit;
  samples: number;
  accuracy: number;
  macro_f1: number;
  /** Recall per class, keyed by the data's class names. */
  per_class: Record<string, number | null>;
  /** Accuracy per interaction type, where the data knows types. */
  per_type: Record<InteractionType, number | null> | null;
  /** Share right while every unimodal predictor is wrong; null without unimodal predictors. */
  synergy_indicator: number | null;
  /** Accuracy of the model's own unimodal predictors, where it has them. */
  unimodal_accuracy: Record<string, number> | null;
  /** Accuracy of each interaction component's own prediction (DMIL). */
  component_accuracy: Record<string, number> | null;
  /** Mean gate weights overall (DMIL). */
  gate_mean: Record<string, number> | null;
  /** Mean gate weights by interaction type, where types are known (DMIL): type -> component -> weight. */
  gate_by_type: Record<string, Record<string, number> | null> | null;
}

export function evaluatePredictions(run: string, model: ParadigmModel, data: Dataset, split: EvalSplit, p: Predictions): EvalReport {
  const labels = Int32Array.from(p.indices, (i) => data.labels[i]);
  const pred = argmaxRows(p.probs, p.classes);
  const uni = p.unimodal?.map((u) => argmaxRows(u, p.classes));
  const perClass = perClassAccuracy(pred, labels, p.classes);
  const types = data.types ? Array.from(p.indices, (i) => data.types![i]) : undefined;
  return {
    run,
    paradigm: model.paradigm,
    split,
    samples: labels.length,
    accuracy: accuracy(pred, labels),
    macro_f1: macroF1(pred, labels, p.classes),
    per_class: Object.fromEntries(data.classNames.map((name, c) => [name, perClass[c]])),
    per_type: types ? perTypeAccuracy(pred, labels, types) : null,
    synergy_indicator: uni ? synergyIndicator(pred, uni, labels) : null,
    unimodal_accuracy: uni ? Object.fromEntries(uni.map((u, m) => [model.modalities[m], accuracy(u, labels)])) : null,
    component_accuracy: p.components
      ? Object.fromEntries(Object.entries(p.components).map(([c, probs]) => [c, accuracy(argmaxRows(probs, p.classes), labels)]))
      : null,
    gate_mean: p.gate && p.components ? meanGate(p.gate, Object.keys(p.components), () => true) : null,
    gate_by_type: p.gate && p.components && types
      ? Object.fromEntries(INTERACTION_TYPES.map((t) => [t, meanGate(p.gate!, Object.keys(p.components!), (i) => types[i] === t)]))
      : null,
  };
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

/**
 * Evaluates a split and writes eval/<file>.json into the run (`file` defaults to the split name;
 * evaluations on other data use their own name so the run's own results stay).
 */
export function evaluateSplit(runId: string, runDir: string, model: ParadigmModel, data: Dataset, split: EvalSplit, batchSize: number, file: string = split): EvalReport {
  const indices = splitIndices(data, split);
  const report = evaluatePredictions(runId, model, data, split, predictSamples(model, data, indices, batchSize));
  fs.mkdirSync(path.join(runDir, runFiles.eval), { recursive: true });
  writeJsonAtomic(path.join(runDir, runFiles.eval, `${file}.json`), report);
  return report;
}

