// The rule DMIL's defaults are chosen by (docs/explanation/method.md, "How defaults are chosen"):
// the paper's form of a choice is the default unless, on the validation split of a data set with
// known interaction types, it fails against our form of the same choice, where failing is
//   - accuracy: significantly lower overall or on some interaction type: the paired-t interval
//     of paper minus ours over matching seeds lies below 0, at the 95% level shared out over the
//     accuracies tested (Bonferroni: 1 - 0.05 / (1 + number of types) each, 99% with four types),
//     so that a harmless change is flagged on a data set with about 5% probability, not 1 - 0.95^5; or
//   - routing: the gate loses the decomposition (for some type, the mean gate weight over seeds
//     on the type's own component is below 0.5, or not the largest of the sample's weights).
// Pure: it reads `dmil compare --json` groups and names the default the rule gives.
import { pairedDifference, type PairedDifference } from '../analysis/intervals';
import { gateComponents, metricLabel, metricTypes, ownComponent } from './group';

export interface RunMetrics {
  seed: number;
  metrics: Record<string, number | undefined>;
}

export interface SettingRuns {
  label: string;
  runs: RunMetrics[];
}

export const OWN_WEIGHT_FLOOR = 0.5;

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/** Why a setting's gate does not keep the decomposition, or null when it does. */
export function routingFailure(s: SettingRuns): string | null {
  const components = gateComponents(s.runs.flatMap((r) => Object.keys(r.metrics)));
  if (components.length === 0) return 'no gate weights by type';
  for (const type of metricTypes(s.runs)) {
    const weights = components.map((c) => mean(s.runs.map((r) => r.metrics[`gate_${type}_${c}`] ?? Number.NaN)));
    const i = components.indexOf(ownComponent(type, components) ?? '');
    const own = i < 0 ? Number.NaN : weights[i];
    if (Number.isNaN(own)) return `no gate weights for ${type} samples`;
    if (own < OWN_WEIGHT_FLOOR) return `${type} samples put ${own.toFixed(2)} on ${components[i]} (below ${OWN_WEIGHT_FLOOR})`;
    const top = weights.indexOf(Math.max(...weights));
    if (top !== i) return `${type} samples put more on ${components[top]} (${weights[top].toFixed(2)}) than on ${components[i]} (${own.toFixed(2)})`;
  }
  return null;
}

/** The accuracies the rule tests: overall and each interaction type's. */
const testedMetrics = (runs: RunMetrics[]) => ['accuracy', ...metricTypes(runs).map((t) => `type_${t}`)];

/** The level of each test's interval: 95% shared out over the accuracies tested (Bonferroni). */
export const perTestLevel = (tests: number): number => 1 - 0.05 / tests;

/** Paper minus ours for accuracy and each type's accuracy, over the seeds both have, each at `level`. */
export function accuracyDifferences(paper: SettingRuns, ours: SettingRuns, level = 0.95): Record<string, PairedDifference> {
  const seeds = paper.runs.map((r) => r.seed).filter((s) => ours.runs.some((r) => r.seed === s));
  const at = (g: SettingRuns, m: string) => seeds.map((s) => g.runs.find((r) => r.seed === s)!.metrics[m] ?? Number.NaN);
  return Object.fromEntries(testedMetrics(paper.runs).map((m) => [m, pairedDifference(at(paper, m), at(ours, m), level)]));
}

export interface Verdict {
  /** Why the paper's form fails, or null when it holds. */
  failure: string | null;
  differences: Record<string, PairedDifference>;
}

/** Whether the paper's form fails against ours on one data set. */
export function judge(paper: SettingRuns, ours: SettingRuns): Verdict {
  const level = perTestLevel(testedMetrics(paper.runs).length);
  const differences = accuracyDifferences(paper, ours, level);
  const worse = Object.entries(differences).find(([, d]) => d.ci[1] < 0);
  const failure = worse
    ? `${metricLabel(worse[0])} lower by ${(-worse[1].mean).toFixed(3)} (${(100 * level).toFixed(0)}% interval of the difference [${worse[1].ci[0].toFixed(3)}, ${worse[1].ci[1].toFixed(3)}])`
    : routingFailure(paper);
  return { failure, differences };
}

/** Which side of an ablation variant is the paper's form, from its label: "(paper)" or "(ours)". */
export function paperSide(variantLabel: string): 'variant' | 'reference' | null {
  if (/\(paper\)/.test(variantLabel)) return 'variant';
  if (/\(ours\)/.test(variantLabel)) return 'reference';
  return null;
}

export interface Ablation {
  /** The data set's name, as the table shows it. */
  data: string;
  /** The setting every variant departs from: the defaults. */
  reference: SettingRuns;
  /** Each variant by its name in the sweep file ("... (paper)", "... (ours)", or neither). */
  variants: Map<string, SettingRuns>;
}

export interface DecisionRow {
  variant: string;
  /** Per data set: paper minus ours in accuracy, and why the paper's form fails there (null: it holds). */
  perData: { data: string; accuracy: PairedDifference; failure: string | null }[];
  /** The form the rule makes the default: 'paper', 'ours', or null where the paper has no form. */
  rule: 'paper' | 'ours' | null;
  /** The form the defaults have (the reference's side). */
  defaults: 'paper' | 'ours' | null;
}

/** The rule applied to each variant on every data set: the paper's form is kept unless it fails on one. */
export function decide(ablations: Ablation[]): DecisionRow[] {
  const names = [...new Set(ablations.flatMap((a) => [...a.variants.keys()]))];
  return names.map((variant) => {
    const side = paperSide(variant);
    const perData = ablations.filter((a) => a.variants.has(variant)).map((a) => {
      const v = a.variants.get(variant)!;
      if (side === null) return { data: a.data, accuracy: accuracyDifferences(v, a.reference).accuracy, failure: null };
      const [paper, ours] = side === 'variant' ? [v, a.reference] : [a.reference, v];
      const verdict = judge(paper, ours);
      return { data: a.data, accuracy: verdict.differences.accuracy, failure: verdict.failure };
    });
    if (side === null) return { variant, perData, rule: null, defaults: null };
    return { variant, perData, rule: perData.some((d) => d.failure) ? 'ours' : 'paper', defaults: side === 'variant' ? 'ours' : 'paper' };
  });
}

/** The decision table in Markdown: one row per variant, the rule's verdict per data set, and whether the defaults agree. */
export function decisionMarkdown(rows: DecisionRow[]): string {
  const data = [...new Set(rows.flatMap((r) => r.perData.map((d) => d.data)))];
  const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const cell = (r: DecisionRow, name: string) => {
    const d = r.perData.find((x) => x.data === name);
    if (!d) return '-';
    const acc = Number.isNaN(d.accuracy.ci[0]) ? sign(d.accuracy.mean) : `${sign(d.accuracy.mean)} [${sign(d.accuracy.ci[0])}, ${sign(d.accuracy.ci[1])}]`;
    return r.rule === null ? `${acc} (variant minus defaults)` : `${acc}; ${d.failure ? `paper's form fails: ${d.failure}` : 'paper\'s form holds'}`;
  };
  const verdict = (r: DecisionRow) => (r.rule === null ? 'no paper form: kept' : r.rule === r.defaults ? `${r.rule === 'paper' ? 'paper\'s form' : 'ours'} (agrees)` : `**${r.rule === 'paper' ? 'paper\'s form' : 'ours'}: the defaults disagree**`);
  const header = ['variant of the defaults', ...data.map((d) => `${d}: accuracy, paper minus ours [the rule's interval]`), 'default by the rule'];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${[r.variant, ...data.map((d) => cell(r, d)), verdict(r)].join(' | ')} |`),
  ].join('\n');
}
