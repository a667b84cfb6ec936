// Per-sample interaction scores (`dmil decompose`): for DMIL, the gate weights, each component's
// probability of the true label, its own prediction and its evidence
//   e_c = log p_c(y|x) - log p_train(y)   (nats beyond the training label prior);
// for other paradigms, the columns that exist for them.

export interface ScoreInputs {
  ids: string[];
  classNames: string[];
  /** True class index per sample. */
  labels: Int32Array;
  /** Interaction type per sample, where known. */
  types?: string[];
  prior: number[];
  classes: number;
  probs: Float32Array;
  /** Per-modality unimodal probabilities, by modality name. */
  unimodal?: Record<string, Float32Array>;
  /** Per-component probabilities (R, U1, U2, S). */
  components?: Record<string, Float32Array>;
  gate?: Float32Array;
}

export type ScoreRow = Record<string, string | number>;

const EPS = 1e-12;

function rowArgmax(p: Float32Array, i: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
  return best;
}

export function evidence(pTrue: number, prior: number): number {
  return Math.log(Math.max(pTrue, EPS)) - Math.log(Math.max(prior, EPS));
}

/** The columns of the rows `interactionScores` returns, in order. */
export function scoreColumns(x: Omit<ScoreInputs, 'labels' | 'probs' | 'ids'>): string[] {
  const cols = ['id', 'label', 'prediction'];
  if (x.components && x.gate) {
    const comps = Object.keys(x.components);
    cols.push(...comps.map((c) => `gate_${c}`), ...comps.map((c) => `p_${c}`), ...comps.map((c) => `pred_${c}`), ...comps.map((c) => `evidence_${c}`));
  } else {
    cols.push('p', 'evidence');
    for (const m of Object.keys(x.unimodal ?? {})) cols.push(`p_${m}`, `pred_${m}`, `evidence_${m}`);
  }
  if (x.types) cols.push('type');
  return cols;
}

export function interactionScores(x: ScoreInputs): ScoreRow[] {
  const C = x.classes;
  const comps = x.components ? Object.keys(x.components) : [];
  return Array.from(x.labels, (y, i) => {
    const row: ScoreRow = { id: x.ids[i], label: x.classNames[y], prediction: x.classNames[rowArgmax(x.probs, i, C)] };
    if (x.components && x.gate) {
      comps.forEach((c, j) => (row[`gate_${c}`] = x.gate![i * comps.length + j]));
      comps.forEach((c) => (row[`p_${c}`] = x.components![c][i * C + y]));
      comps.forEach((c) => (row[`pred_${c}`] = x.classNames[rowArgmax(x.components![c], i, C)]));
      comps.forEach((c) => (row[`evidence_${c}`] = evidence(x.components![c][i * C + y], x.prior[y])));
    } else {
      row.p = x.probs[i * C + y];
      row.evidence = evidence(x.probs[i * C + y], x.prior[y]);
      for (const [m, p] of Object.entries(x.unimodal ?? {})) {
        row[`p_${m}`] = p[i * C + y];
        row[`pred_${m}`] = x.classNames[rowArgmax(p, i, C)];
        row[`evidence_${m}`] = evidence(p[i * C + y], x.prior[y]);
      }
    }
    if (x.types) row.type = x.types[i];
    return row;
  });
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: string[], rows: ScoreRow[]): string {
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? '')).join(','))].join('\n')}\n`;
}

export function toJsonl(rows: ScoreRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
