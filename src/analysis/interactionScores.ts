// Per-sample interaction scores (`dmil decompose`), from the prediction record of any paradigm:
// the final prediction, then for each part the paradigm has (unimodal predictors by modality,
// interaction components with their gate weights) its probability of the true label, its own
// prediction, and its evidence
//   e = log p(y|x) - log p_train(y)   (nats beyond the training label prior).
// Data without labels gets the predictions and gate weights only.
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors';
import type { Predictions } from './predictions';
import { argmaxRows } from './metrics';

export type ScoreRow = Record<string, string | number>;

const EPS = 1e-12;

export function evidence(pTrue: number, prior: number): number {
  return Math.log(Math.max(pTrue, EPS)) - Math.log(Math.max(prior, EPS));
}

/** The named parts of a prediction, each [n, classes]: unimodal predictors, then components. */
const partsOf = (x: Predictions): [string, Float32Array][] => [...Object.entries(x.unimodal ?? {}), ...Object.entries(x.components ?? {})];

/** The columns of the rows `interactionScores` returns, in order. */
export function scoreColumns(x: Predictions): string[] {
  const cols = x.unlabelled ? ['id', 'prediction'] : ['id', 'label', 'prediction', 'p', 'evidence'];
  const comps = Object.keys(x.components ?? {});
  if (x.gate) cols.push(...comps.map((c) => `gate_${c}`));
  for (const [name] of partsOf(x)) cols.push(...(x.unlabelled ? [`pred_${name}`] : [`p_${name}`, `pred_${name}`, `evidence_${name}`]));
  if (x.types) cols.push('type');
  if (x.groups) cols.push('group');
  const clash = cols.find((c, i) => cols.indexOf(c) !== i);
  if (clash) throw new UserError(`two parts of the prediction would both write the column ${clash}`, { hint: 'a modality has the name of an interaction component (R, U1, U2, S); rename the modality' });
  return cols;
}

export function interactionScores(x: Predictions): ScoreRow[] {
  const C = x.classes;
  const comps = Object.keys(x.components ?? {});
  const parts = partsOf(x).map(([name, p]) => [name, p, argmaxRows(p, C)] as const);
  const predicted = argmaxRows(x.probs, C);
  return Array.from(x.labels, (y, i) => {
    const row: ScoreRow = { id: x.ids[i], prediction: x.classNames[predicted[i]] };
    if (!x.unlabelled) Object.assign(row, { label: x.classNames[y], p: x.probs[i * C + y], evidence: evidence(x.probs[i * C + y], x.prior[y]) });
    if (x.gate) comps.forEach((c, j) => (row[`gate_${c}`] = x.gate![i * comps.length + j]));
    for (const [name, p, pred] of parts) {
      row[`pred_${name}`] = x.classNames[pred[i]];
      if (!x.unlabelled) Object.assign(row, { [`p_${name}`]: p[i * C + y], [`evidence_${name}`]: evidence(p[i * C + y], x.prior[y]) });
    }
    if (x.types) row.type = x.types[i];
    if (x.groups) row.group = x.groups[i];
    return row;
  });
}

export function toCsv(columns: string[], rows: ScoreRow[]): string {
  return stringify([columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '')))]);
}

export function toJsonl(rows: ScoreRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
