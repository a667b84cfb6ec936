// The tables `dmil compare` prints: settings over seeds (mean ± standard deviation of each
// metric, per interaction type, by group, DMIL's gate), paired differences against a baseline,
// as aligned text, Markdown or CSV.
import { stringify } from 'csv-stringify/sync';
import { table } from '../textTable';
import { differenceText, gateComponents, metricLabel, metricTypes, ownComponent, pairedDifferences, type Group, type Summary } from './group';

const f3 = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(3));
const f2 = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(2));
const cell = (s: Summary | undefined, perSeed = false): string => {
  if (!s || Number.isNaN(s.mean)) return '-';
  const sd = Number.isNaN(s.std) ? '' : ` ± ${f3(s.std)}`;
  return `${f3(s.mean)}${sd}${perSeed ? ` (${s.values.map(f3).join(', ')})` : ''}`;
};
const epochs = (s: Summary | undefined) => (s ? s.values.map((v) => (Number.isNaN(v) ? '-' : String(v))).join(', ') : '-');

/** Mean gate weight on S for S samples over that for R samples (ratio of the means over seeds). */
const gateRatio = (g: Group) => {
  const [s, r] = [g.metrics.gate_S_S?.mean, g.metrics.gate_R_S?.mean];
  return s === undefined || r === undefined || Number.isNaN(s / r) ? '-' : `${(s / r).toFixed(1)}x`;
};

function markdown(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function formatComparison(groups: Group[], asMarkdown: boolean, split = 'test'): string {
  const render = asMarkdown ? markdown : table;
  const has = (name: string) => groups.some((g) => g.metrics[name] && !Number.isNaN(g.metrics[name].mean));
  const types = metricTypes(groups.flatMap((g) => g.runs)).filter((t) => has(`type_${t}`));
  const extra: [string, string][] = [['macro_f1', 'macro-F1'], ['synergy_indicator', 'synergy'], ['n_probe_accuracy', 'N probe acc'], ['n_probe_ceiling', 'z probe acc']];
  const shown = extra.filter(([n]) => has(n));
  const lastStages = [...new Set(groups.flatMap((g) => Object.keys(g.metrics).filter((k) => k.startsWith('kept_epoch_'))))];
  const keptCol = lastStages.includes('kept_epoch_finetune') ? 'kept_epoch_finetune' : undefined;
  const ratio = has('gate_S_S') && has('gate_R_S');
  const timed = has('train_seconds');
  // DMIL's gate on each type's own component (components in output order: R, U of each modality, S; types likewise).
  const gateComps = gateComponents(groups.flatMap((g) => Object.keys(g.metrics)));
  const allTypes = metricTypes(groups.flatMap((g) => g.runs));
  const ownGate = (g: Group) => (types.every((t) => g.metrics[`gate_${t}_${ownComponent(t, gateComps)}`])
    ? types.map((t) => f2(g.metrics[`gate_${t}_${ownComponent(t, gateComps)}`].mean)).join(' / ')
    : '-');
  const owned = groups.some((g) => ownGate(g) !== '-');
  const header = ['setting', 'seeds', 'accuracy (per seed)', ...types, ...shown.map(([, h]) => h), ...(owned ? [`gate on own component (${types.join(' / ')})`] : []), ...(ratio ? ['g_S: S / R samples'] : []), ...(keptCol ? ['finetune kept epoch'] : []), ...(timed ? ['train time (s)'] : [])];
  const rows = groups.map((g) => [
    g.label, String(g.runs.length), cell(g.metrics.accuracy, true), ...types.map((t) => cell(g.metrics[`type_${t}`])),
    ...shown.map(([n]) => cell(g.metrics[n])), ...(owned ? [ownGate(g)] : []), ...(ratio ? [gateRatio(g)] : []), ...(keptCol ? [epochs(g.metrics[keptCol])] : []),
    ...(timed ? [g.metrics.train_seconds && !Number.isNaN(g.metrics.train_seconds.mean) ? g.metrics.train_seconds.mean.toFixed(0) : '-'] : []),
  ]);
  let out = `${split === 'val' ? 'validation' : split} metrics, mean ± standard deviation over seeds\n${render(header, rows)}`;
  // The user's groups (data.group): accuracy per group, and the gate by group.
  const groupNames = [...new Set(groups.flatMap((g) => Object.keys(g.metrics).filter((k) => k.startsWith('group:')).map((k) => k.slice('group:'.length))))];
  if (groupNames.length) {
    out += `\n\naccuracy by group\n${render(['setting', ...groupNames], groups.map((g) => [g.label, ...groupNames.map((n) => cell(g.metrics[`group:${n}`]))]))}`;
    const gateKeys = groups.flatMap((g) => Object.keys(g.metrics).filter((k) => k.startsWith('gate_group:')));
    const comps = [...new Set(gateKeys.map((k) => k.slice(k.lastIndexOf(':') + 1)))];
    const gateRows = groups.flatMap((g) => groupNames.filter((n) => comps.some((c) => g.metrics[`gate_group:${n}:${c}`])).map((n) => [g.label, n, ...comps.map((c) => cell(g.metrics[`gate_group:${n}:${c}`]))]));
    if (gateRows.length) out += `\n\nmean gate weight by group\n${render(['setting', 'group', ...comps.map((c) => `g_${c}`)], gateRows)}`;
  }
  const gated = groups.filter((g) => g.metrics.gate_S_S);
  if (gated.length) {
    // Components as the runs name them (R, U_<modality>..., S), in the order they first appear.
    const gateRows = gated.flatMap((g) => allTypes.filter((t) => g.metrics[`gate_${t}_R`]).map((t) => [g.label, t, ...gateComps.map((c) => cell(g.metrics[`gate_${t}_${c}`]))]));
    out += `\n\nmean gate weight by the samples' true type\n${render(['setting', 'samples', ...gateComps.map((c) => `g_${c}`)], gateRows)}`;
  }
  return out;
}

/** One row per setting: its label, seeds, and each metric's mean and standard deviation. */
export function comparisonCsv(groups: Group[]): string {
  const names = [...new Set(groups.flatMap((g) => Object.keys(g.metrics)))];
  const n = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : String(v));
  const header = ['setting', 'seeds', ...names.flatMap((m) => [`${m}_mean`, `${m}_std`])];
  return stringify([header, ...groups.map((g) => [g.label, String(g.runs.length), ...names.flatMap((m) => [n(g.metrics[m]?.mean), n(g.metrics[m]?.std)])])]);
}

/** Each setting minus the baseline over the seeds both have, as a table. */
export function pairedTable(groups: Group[], baseline: Group, asMarkdown: boolean): string {
  const render = asMarkdown ? markdown : table;
  const { metrics, rows } = pairedDifferences(groups, baseline);
  return `paired differences against "${baseline.label}" over matching seeds: mean [95% paired-t interval]\n${render(['setting', 'pairs', ...metrics.map(metricLabel)], rows.map((r) => [r.label, String(r.pairs), ...metrics.map((m) => differenceText(r.differences[m]))]))}`;
}
