// The report of several runs (a sweep, or runs named together): the `dmil compare` table with
// intervals over seeds, bar charts of accuracy per setting and per interaction type with the
// spread over seeds, and each setting's validation curves overlaid.
import { differenceText, metricLabel, pairedDifferences, summarise, type Group, type Summary } from '../compare/group';
import { t975 } from '../analysis/intervals';
import { metricTypes } from '../compare/group';
import type { MetricsRow } from '../train/loop';
import { barsWithIntervals, forestPlot, overlaidCurves, type DifferenceRow, type MeanCurvePoint, type ShareRow } from './charts';
import { f3, page, tableBlock, text, type Block, type Section } from './html';
import { figure } from './vega';

export interface CompareReportInput {
  title: string;
  subtitle: string;
  groups: Group[];
  /** metrics.csv rows of each run, by run id. */
  curves: Record<string, MetricsRow[]>;
  /** The sweep's cells and their state, for a sweep. */
  cells?: { label: string; status: string; run: string | null; attempts: number }[];
  /** The setting the others are compared with, pair by pair over seeds (--baseline). */
  baseline?: Group;
}

/** Each setting minus the baseline over matching seeds: a forest plot and its table. */
async function pairedSection(groups: Group[], baseline: Group): Promise<Section> {
  const { metrics, rows } = pairedDifferences(groups, baseline);
  const points: DifferenceRow[] = rows.flatMap((r) => metrics.filter((m) => !Number.isNaN(r.differences[m].mean)).map((m) => {
    const d = r.differences[m];
    const [lo, hi] = Number.isNaN(d.ci[0]) ? [d.mean, d.mean] : d.ci;
    return { metric: metricLabel(m), setting: r.label, mean: d.mean, lo, hi };
  }));
  return {
    id: 'paired', title: `Paired differences against ${baseline.label}`, blocks: [
      await figure('paired-differences', `Each setting minus ${baseline.label} on the same seeds: the mean difference (dot) and its 95% paired-t interval (bar); an interval that misses the dashed 0 is a difference the seeds support.`,
        forestPlot(`minus ${baseline.label}, paired over seeds`, points),
        { header: ['setting', 'pairs', ...metrics.map(metricLabel)], rows: rows.map((r) => [r.label, String(r.pairs), ...metrics.map((m) => differenceText(r.differences[m]))]), open: true }),
    ],
  };
}

/** mean ± sd [95% t-interval over seeds, clipped to [0, 1] where the metric lives], or the one value. */
export function summaryCell(s: Summary | undefined): string {
  const xs = s?.values.filter((v) => !Number.isNaN(v)) ?? [];
  if (!s || !xs.length) return '-';
  if (xs.length < 2) return f3(s.mean);
  const half = t975(xs.length - 1) * s.std / Math.sqrt(xs.length);
  return `${f3(s.mean)} ± ${f3(s.std)} [${f3(Math.max(0, s.mean - half))}, ${f3(Math.min(1, s.mean + half))}]`;
}

const spread = (s: Summary): [number, number] => (Number.isNaN(s.std) ? [s.mean, s.mean] : [s.mean - s.std, s.mean + s.std]);

/** The compare table: one row per setting, each metric as mean ± sd with its 95% interval over seeds. */
function comparisonTable(groups: Group[]): Block {
  const has = (m: string) => groups.some((g) => g.metrics[m] && !Number.isNaN(g.metrics[m].mean));
  const cols: [string, string][] = [['accuracy', 'accuracy'], ['macro_f1', 'macro-F1'], ...metricTypes(groups.flatMap((g) => g.runs)).map((t) => [`type_${t}`, `${t} samples`] as [string, string]), ['synergy_indicator', 'synergy indicator'], ['n_probe_accuracy', 'label probe on N'], ['train_seconds', 'train time (s)']];
  const shown = cols.filter(([m]) => has(m));
  const rows = groups.map((g) => [g.label, String(g.runs.length), g.runs.map((r) => `${r.seed}: ${f3(r.metrics.accuracy)}`).join(', '), ...shown.map(([m]) => (m === 'train_seconds' ? (g.metrics[m] ? g.metrics[m].mean.toFixed(0) : '-') : summaryCell(g.metrics[m])))]);
  return tableBlock({ header: ['setting', 'seeds', 'accuracy per seed', ...shown.map(([, h]) => h)], rows, open: true, caption: 'Test metrics per setting over seeds: mean ± sample standard deviation [95% Student-t interval of the mean, clipped to [0, 1]]; the same means and deviations as dmil compare.' });
}

/** Validation accuracy per epoch, mean ± sd over each setting's runs, per stage. */
export function meanCurves(groups: Group[], curves: Record<string, MetricsRow[]>): MeanCurvePoint[] {
  const out: MeanCurvePoint[] = [];
  const stages: string[] = [];
  for (const g of groups) {
    const byKey = new Map<string, number[]>();
    for (const r of g.runs) {
      for (const row of curves[r.id] ?? []) {
        const v = row.values.accuracy;
        if (row.split !== 'val' || v === undefined || Number.isNaN(v)) continue;
        if (!stages.includes(row.stage)) stages.push(row.stage);
        const key = `${row.stage}\u0000${row.epoch}`;
        byKey.set(key, [...(byKey.get(key) ?? []), v]);
      }
    }
    for (const [key, values] of byKey) {
      const [stage, epoch] = key.split('\u0000');
      const s = summarise(values);
      const [lo, hi] = spread(s);
      out.push({ setting: g.label, stage, epoch: Number(epoch), mean: s.mean, lo, hi, seeds: values.length });
    }
  }
  // Stages in training order (as the runs' metrics list them), then settings, then epochs.
  return out.sort((a, b) => stages.indexOf(a.stage) - stages.indexOf(b.stage) || a.setting.localeCompare(b.setting) || a.epoch - b.epoch);
}

export async function buildCompareReport(x: CompareReportInput, now: Date): Promise<string> {
  const { groups } = x;
  const blocks: Block[] = [comparisonTable(groups)];
  const acc: ShareRow[] = groups.map((g) => {
    const [lo, hi] = spread(g.metrics.accuracy);
    return { name: g.label, value: g.metrics.accuracy.mean, lo, hi };
  });
  const seeds = groups.flatMap((g) => g.runs.map((r) => ({ name: g.label, value: r.metrics.accuracy })));
  blocks.push(await figure('accuracy-by-setting', 'Test accuracy of each setting: the bar is the mean over seeds, the error bar ± one standard deviation, the dots the seeds.',
    barsWithIntervals('test accuracy per setting', 'setting', 'accuracy (fraction correct, test)', acc, { order: groups.map((g) => g.label), points: seeds, horizontal: true }),
    { header: ['setting', 'seeds', 'mean', 'sd', 'per seed'], rows: groups.map((g) => [g.label, String(g.runs.length), f3(g.metrics.accuracy.mean), f3(g.metrics.accuracy.std), g.metrics.accuracy.values.map(f3).join(', ')]), open: true }));
  const types = metricTypes(groups.flatMap((g) => g.runs)).filter((t) => groups.some((g) => g.metrics[`type_${t}`] && !Number.isNaN(g.metrics[`type_${t}`].mean)));
  if (types.length) {
    const rows: ShareRow[] = types.flatMap((t) => groups.filter((g) => g.metrics[`type_${t}`]).map((g) => {
      const s = g.metrics[`type_${t}`];
      const [lo, hi] = spread(s);
      return { name: t, series: g.label, value: s.mean, lo, hi };
    }));
    blocks.push(await figure('accuracy-by-type', 'Test accuracy on the samples of each interaction type, per setting: mean over seeds ± one standard deviation.',
      barsWithIntervals('test accuracy per interaction type', 'the samples\' true interaction type', 'accuracy (fraction, test)', rows, { order: [...types] }),
      { header: ['type', 'setting', 'mean', 'sd'], rows: rows.map((r) => [r.name, r.series ?? '', f3(r.value), f3((r.hi - r.lo) / 2)]), open: true }));
  }
  const curves = meanCurves(groups, x.curves);
  if (curves.length) {
    blocks.push(await figure('curves-by-setting', 'Validation accuracy per epoch of each stage, mean over each setting\'s seeds (line) ± one standard deviation (band); runs that stopped early drop out of the mean after their last epoch.',
      overlaidCurves('validation accuracy per epoch, by setting', curves, 'val accuracy (fraction)'),
      { header: ['setting', 'stage', 'epoch', 'mean', 'band from', 'to', 'runs'], rows: curves.map((c) => [c.setting, c.stage, String(c.epoch), f3(c.mean), f3(c.lo), f3(c.hi), String(c.seeds)]) }));
  }
  const sections: Section[] = [{ id: 'comparison', title: 'Comparison', blocks }];
  if (x.baseline) sections.push(await pairedSection(groups, x.baseline));
  if (x.cells) {
    sections.push({ id: 'cells', title: 'Cells', blocks: [tableBlock({ header: ['cell', 'status', 'run', 'tries'], rows: x.cells.map((c) => [c.label, c.status, c.run ?? '-', String(c.attempts)]), open: true })] });
  }
  const runs = groups.flatMap((g) => g.runs.map((r) => [g.label, String(r.seed), r.id]));
  sections.push({ id: 'runs', title: 'Runs', blocks: [text('Each run has its own report: dmil report RUN.'), tableBlock({ header: ['setting', 'seed', 'run'], rows: runs, open: true })] });
  return page(x.title, `${x.subtitle}; written ${now.toISOString()}`, sections);
}
