// How commands print an evaluation: the metrics table with intervals, the confusion matrix, and
// the mean gate weights overall, by interaction type and by the user's groups.
import type { Interval } from '../analysis/intervals';
import type { EvalReport } from '../experiment/evaluate';
import { num, table } from '../textTable';

const withInterval = (v: number, ci: Interval | null | undefined) => (ci ? `${num(v)} [${num(ci[0])}, ${num(ci[1])}]` : num(v));

export function formatReport(r: EvalReport): string {
  const rows: string[][] = [
    ['samples', String(r.samples)],
    ['accuracy [95% interval]', withInterval(r.accuracy, r.accuracy_ci)],
    ['macro_f1 [95% interval]', withInterval(r.macro_f1, r.macro_f1_ci)],
    ['synergy_indicator', num(r.synergy_indicator)],
  ];
  if (r.dropped) rows.splice(1, 0, ['dropped before the split', `${r.dropped.count} (${r.dropped.why})`]);
  for (const [m, a] of Object.entries(r.unimodal_accuracy ?? {})) rows.push([`unimodal accuracy (${m})`, num(a)]);
  for (const [c, a] of Object.entries(r.component_accuracy ?? {})) rows.push([`component ${c} accuracy`, num(a)]);
  for (const [n, a] of Object.entries(r.n_probe_accuracy ?? {})) {
    const ceiling = r.n_probe_ceiling?.[n];
    rows.push([`probe accuracy on ${n} (chance ${num(r.n_probe_chance)}${ceiling !== undefined ? `, the same probe on ${n.replace(/^N_/, 'z_')} ${num(ceiling)}` : ''})`, num(a)]);
  }
  for (const [t, a] of Object.entries(r.per_type ?? {})) rows.push([`type ${t} accuracy`, withInterval(a ?? Number.NaN, r.per_type_ci?.[t as keyof typeof r.per_type_ci])]);
  for (const [g, a] of Object.entries(r.per_group ?? {})) rows.push([`group ${g} accuracy (${a.samples} samples)`, withInterval(a.accuracy, a.ci)]);
  for (const [c, a] of Object.entries(r.per_class)) rows.push([`class ${c} accuracy`, num(a)]);
  const gates = gateTable(r);
  const confusion = table(['true \\ predicted', ...r.confusion.classes], r.confusion.counts.map((row, i) => [r.confusion.classes[i], ...row.map(String)]));
  return `${r.run} (${r.paradigm}), ${r.split} split\n${table(['metric', 'value'], rows)}\n\nconfusion matrix\n${confusion}${gates ? `\n\nmean gate weights\n${gates}` : ''}`;
}

/** Mean gate weights overall, by interaction type and by group, for paradigms with a gate. */
export function gateTable(r: EvalReport): string | undefined {
  if (!r.gate_mean) return undefined;
  const comps = Object.keys(r.gate_mean);
  const rows = [['all', ...comps.map((c) => num(r.gate_mean![c], 3))]];
  for (const [t, g] of Object.entries(r.gate_by_type ?? {})) if (g) rows.push([`type ${t}`, ...comps.map((c) => num(g[c], 3))]);
  for (const [name, g] of Object.entries(r.gate_by_group ?? {})) if (g) rows.push([`group ${name}`, ...comps.map((c) => num(g[c], 3))]);
  return table(['samples', ...comps.map((c) => `g_${c}`)], rows);
}
