import { UserError } from '../errors';
import { typeList, type InteractionType } from '../interactionTypes';
import { pairedDifference, type PairedDifference } from '../analysis/intervals';

// Comparing runs: runs whose resolved configs differ only in the seed form a group (one setting
// over seeds); each group is labelled by the config keys where it departs from most of the
// others, and reported as mean, sample standard deviation and the per-seed values of each metric.

export interface RunResult {
  id: string;
  seed: number;
  /** The run's resolved config. */
  config: Record<string, unknown>;
  /** Metric name -> value (NaN when the run has no such metric). */
  metrics: Record<string, number>;
  /** What produced the numbers: the dmil version, the backend, the input files (path:sha256). */
  provenance?: { version: string; backend: string; dataFiles: string };
}

export interface Summary {
  mean: number;
  /** Sample standard deviation (n - 1); NaN for a single run. */
  std: number;
  values: number[];
}

export interface Group {
  /** `key=value` for each config key that tells this group apart from the others. */
  label: string;
  runs: RunResult[];
  metrics: Record<string, Summary>;
}

/** A config as path -> JSON value, leaves only. */
export function flatten(node: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = JSON.stringify(node);
  }
  return out;
}

/** Keys that say nothing about the setting: the seed (and a data seed that follows it), the run's name. */
const IGNORED = new Set(['seed', 'data.seed', 'name']);

export function summarise(values: number[]): Summary {
  const xs = values.filter((v) => !Number.isNaN(v));
  const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  return { mean, std, values };
}

export function groupRuns(runs: RunResult[]): Group[] {
  const flat = runs.map((r) => Object.fromEntries(Object.entries(flatten(r.config)).filter(([k]) => !IGNORED.has(k))));
  const keyOf = (f: Record<string, string>) => JSON.stringify(Object.entries(f).sort(([a], [b]) => a.localeCompare(b)));
  const byKey = new Map<string, number[]>();
  flat.forEach((f, i) => byKey.set(keyOf(f), [...(byKey.get(keyOf(f)) ?? []), i]));
  const groups = [...byKey.values()];
  const reps = groups.map((members) => flat[members[0]]);
  const nameOf = (g: number) => String(runs[groups[g][0]].config.name ?? '');
  const names = new Set(groups.map((_, g) => nameOf(g)));
  return groups.map((members, g) => {
    // Groups of other configs (another name) are told apart by the name; within a name, by the
    // keys where this group departs from what most of its peers have (the paradigm and the data
    // source are named wherever they vary).
    const peers = reps.filter((_, h) => nameOf(h) === nameOf(g));
    const telling = Object.keys(reps[g]).filter((k) => {
      const values = peers.filter((f) => k in f).map((f) => f[k]);
      if (new Set(values).size < 2) return false;
      return ALWAYS_NAMED.has(k) || reps[g][k] !== uniqueMode(values);
    });
    const parts = [...(names.size > 1 ? [`name=${nameOf(g)}`] : []), ...telling.map((k) => `${k}=${flowText(JSON.parse(reps[g][k]))}`)];
    const rs = members.map((i) => runs[i]).sort((a, b) => a.seed - b.seed);
    const metricNames = [...new Set(rs.flatMap((r) => Object.keys(r.metrics)))];
    // A setting that departs from nothing is the one the others are variations of.
    return { label: parts.join(' ') || (groups.length > 1 ? 'reference' : 'all runs'), runs: rs, metrics: Object.fromEntries(metricNames.map((n) => [n, summarise(rs.map((r) => r.metrics[n] ?? Number.NaN))])) };
  });
}

/**
 * Refuses a setting with two runs of one seed: they are repeats of one measurement, and counting
 * them as two seeds would shrink the spread a table reports.
 */
export function requireDistinctSeeds(groups: readonly Group[]): void {
  for (const g of groups) {
    const bySeed = new Map<number, string>();
    for (const r of g.runs) {
      const other = bySeed.get(r.seed);
      if (other !== undefined) throw new UserError(`runs ${other} and ${r.id} are the same setting (${g.label}) and seed ${r.seed}; a seed counts once`, { where: r.id, hint: 'compare one of them (remove or leave out the other)' });
      bySeed.set(r.seed, r.id);
    }
  }
}

/**
 * Numbers are comparable when the same dmil version and backend produced them, and the runs of
 * one setting read the same files. Otherwise refused, or with `allowMixed` returned as a note the
 * caller prints beside the table.
 */
export function checkComparable(groups: readonly Group[], allowMixed: boolean): string | null {
  const runs = groups.flatMap((g) => g.runs);
  const count = (key: 'version' | 'backend') => {
    const by = new Map<string, number>();
    for (const r of runs) by.set(r.provenance?.[key] ?? 'unknown', (by.get(r.provenance?.[key] ?? 'unknown') ?? 0) + 1);
    return by;
  };
  const problems: string[] = [];
  for (const [key, what] of [['version', 'dmil versions'], ['backend', 'backends']] as const) {
    const by = count(key);
    if (by.size > 1) problems.push(`${what} ${[...by].map(([v, n]) => `${v} (${n} run${n === 1 ? '' : 's'})`).join(', ')}`);
  }
  for (const g of groups) {
    const files = new Set(g.runs.map((r) => r.provenance?.dataFiles ?? ''));
    if (files.size > 1) problems.push(`setting ${g.label} read different data files (${[...files].map((f) => f || 'generated').join(' vs ')})`);
  }
  if (!problems.length) return null;
  const line = `the runs mix ${problems.join('; ')}`;
  if (!allowMixed) throw new UserError(line, { where: 'dmil compare', hint: 'retrain the others with one dmil version and backend, or pass --mixed-versions to compare them anyway, marked as mixed' });
  return `mixed: ${line}`;
}

/** Keys that name a group wherever they vary: what kind of model and data it is. */
const ALWAYS_NAMED = new Set(['model.paradigm', 'data.source']);

/** The most frequent value, or undefined when several share the top count. */
function uniqueMode(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const modes = [...counts].filter(([, c]) => c === top);
  return modes.length === 1 ? modes[0][0] : undefined;
}

/** A config value as one would write it in `--set`: YAML flow style, `[{name: decompose-intra}]`. */
function flowText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${flowText(x)}`).join(', ')}}`;
  return String(v);
}

/** The group a baseline names: its label exactly, else the one group holding that run id (or prefix). */
export function findBaseline(groups: Group[], ref: string): Group {
  const byLabel = groups.find((g) => g.label === ref);
  if (byLabel) return byLabel;
  const byRun = groups.filter((g) => g.runs.some((r) => r.id === ref || r.id.startsWith(ref)));
  if (byRun.length === 1) return byRun[0];
  throw new UserError(`no setting "${ref}" among the compared runs`, { where: '--baseline', hint: `name a setting as compare labels it (${groups.map((g) => `"${g.label}"`).join(', ')}) or one of its runs` });
}

export interface PairedRow {
  label: string;
  /** Seeds both this setting and the baseline have. */
  pairs: number;
  /** Metric -> this setting minus the baseline over those seeds, with its 95% paired-t interval. */
  differences: Record<string, PairedDifference>;
}

/** The interaction types the runs have metrics for (type_R, type_U3, ...), in canonical order. */
export function metricTypes(runs: readonly { metrics: Record<string, unknown> }[]): InteractionType[] {
  const found = new Set(runs.flatMap((r) => Object.keys(r.metrics).filter((k) => k.startsWith('type_')).map((k) => k.slice('type_'.length))));
  return typeList(found).filter((t) => found.has(t));
}

/**
 * DMIL's gate components in output order (R, U_<modality>..., S), read from the metric names
 * gate_<type>_<component> of any type present (data of one type, such as pure XOR, has S's only).
 */
export function gateComponents(metricNames: Iterable<string>): string[] {
  const found: string[] = [];
  for (const k of metricNames) {
    const m = /^gate_(R|S|U\d+)_(.+)$/.exec(k);
    if (m && !found.includes(m[2])) found.push(m[2]);
  }
  return found;
}

/** The component samples of `type` belong to, among `components` in output order: R, S, or the type's modality's U. */
export function ownComponent(type: InteractionType, components: readonly string[]): string | undefined {
  if (type === 'R' || type === 'S') return components.includes(type) ? type : undefined;
  return components.filter((c) => c.startsWith('U_'))[Number(type.slice(1)) - 1];
}

/** Each other setting minus the baseline over the seeds both have: accuracy, macro-F1 and per-type accuracy. */
export function pairedDifferences(groups: Group[], baseline: Group): { metrics: string[]; rows: PairedRow[] } {
  const bySeed = (g: Group, metric: string) => new Map(g.runs.map((r) => [r.seed, r.metrics[metric] ?? Number.NaN]));
  const metrics = ['accuracy', 'macro_f1', ...metricTypes(baseline.runs).map((t) => `type_${t}`).filter((m) => baseline.runs.some((r) => !Number.isNaN(r.metrics[m] ?? Number.NaN)))];
  const rows = groups.filter((g) => g !== baseline).map((g) => {
    const seeds = g.runs.map((r) => r.seed).filter((s) => bySeed(baseline, 'accuracy').has(s));
    const differences = Object.fromEntries(metrics.map((m) => {
      const [a, b] = [bySeed(g, m), bySeed(baseline, m)];
      return [m, pairedDifference(seeds.map((s) => a.get(s)!), seeds.map((s) => b.get(s)!))];
    }));
    return { label: g.label, pairs: seeds.length, differences };
  });
  return { metrics, rows };
}

/** "+0.027 [+0.004, +0.051]": a difference with its interval; the mean alone with one pair, '-' with none. */
export function differenceText(d: PairedDifference): string {
  const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  return Number.isNaN(d.mean) ? '-' : Number.isNaN(d.ci[0]) ? sign(d.mean) : `${sign(d.mean)} [${sign(d.ci[0])}, ${sign(d.ci[1])}]`;
}

/** A metric's name as tables show it: "accuracy", "macro-F1", or the interaction type. */
export const metricLabel = (m: string): string => (m.startsWith('type_') ? m.slice(5) : m === 'macro_f1' ? 'macro-F1' : m);
