// The report's figures as Vega-Lite specifications: pure functions from already-summarised rows
// to a spec (no I/O, no rendering). Every axis names its quantity and unit; categories use the
// colour-blind-safe palette of vega.ts, magnitudes viridis.
import type { FigureSpec } from './vega';

type Row = Record<string, string | number | null>;

const SMALL = { width: 170, height: 110 };

/** What a metrics.csv column measures, for axis titles. */
export function metricUnit(metric: string): string {
  if (metric === 'accuracy') return 'fraction correct';
  if (metric === 'loss') return 'weighted sum';
  if (/^(rec_\d+|align)$/.test(metric)) return 'squared error';
  if (metric === 'mi') return 'estimate';
  return 'nats';
}

/** One step of a learning curve. */
export interface CurvePoint { epoch: number; split: 'train' | 'val'; metric: string; value: number }

/**
 * A stage's learning curves: one small chart per loss term and for accuracy, train and val
 * coloured, the epoch the stage kept marked by a dashed rule (epoch 0 is the model the stage
 * started from, evaluated on val only).
 */
export function stageCurves(stage: string, points: readonly CurvePoint[], keptEpoch: number | undefined): FigureSpec {
  const metrics = [...new Set(points.map((p) => p.metric))];
  return {
    title: `${stage}: loss terms and accuracy per epoch${keptEpoch === undefined ? '' : ` (dashed: kept epoch ${keptEpoch})`}`,
    columns: 4,
    concat: metrics.map((m) => ({
      ...SMALL,
      title: { text: m, fontSize: 12, fontWeight: 'normal' },
      layer: [
        {
          data: { values: points.filter((p) => p.metric === m) as unknown as Row[] },
          mark: { type: 'line', point: { size: 16 }, strokeWidth: 1.5 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
            y: { field: 'value', type: 'quantitative', title: metricUnit(m), scale: { zero: false }, axis: { titleLimit: SMALL.height + 40 } },
            color: { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['train', 'val'] } },
            tooltip: [{ field: 'epoch' }, { field: 'split' }, { field: 'value', format: '.4f' }],
          },
        },
        ...(keptEpoch === undefined ? [] : [{
          data: { values: [{ epoch: keptEpoch }] },
          mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#333' },
          encoding: { x: { field: 'epoch', type: 'quantitative' as const } },
        }]),
      ],
    })),
  } as FigureSpec;
}

/** A proportion with its interval, for bars with error bars. */
export interface ShareRow { name: string; value: number; lo: number; hi: number; series?: string }

/**
 * Bars with error bars (`lo` to `hi`); `series` (when given) splits each bar into side-by-side
 * coloured bars; `horizontal` lays the bars along the y axis, for long category names (settings).
 */
export function barsWithIntervals(title: string, catTitle: string, valueTitle: string, rows: readonly ShareRow[], opts: { yDomain?: [number, number]; order?: string[]; points?: { name: string; series?: string; value: number }[]; horizontal?: boolean } = {}): FigureSpec {
  const series = rows.some((r) => r.series !== undefined);
  const [catCh, valCh, val2Ch, offCh] = opts.horizontal ? ['y', 'x', 'x2', 'yOffset'] as const : ['x', 'y', 'y2', 'xOffset'] as const;
  const cat = { field: 'name', type: 'nominal' as const, title: catTitle, sort: opts.order ?? null, axis: opts.horizontal ? { labelLimit: 420 } : { labelAngle: 0, labelLimit: 160 } };
  const val = { type: 'quantitative' as const, title: valueTitle, scale: opts.yDomain ? { domain: opts.yDomain } : {} };
  const offset = series ? { [offCh]: { field: 'series', type: 'nominal' as const, title: 'setting' } } : {};
  const colour = series ? { color: { field: 'series', type: 'nominal' as const, title: 'setting', legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 600 } } } : {};
  const n = rows.length;
  const size = opts.horizontal ? { width: 360, height: Math.max(60, n * 26) } : { width: Math.max(220, Math.min(900, n * (series ? 34 : 48))), height: 200 };
  return {
    title,
    ...size,
    data: { values: rows as unknown as Row[] },
    layer: [
      { mark: { type: 'bar', opacity: 0.85, ...(series ? {} : { color: '#0072B2' }) }, encoding: { [catCh]: cat, [valCh]: { ...val, field: 'value' }, ...offset, ...colour, tooltip: [{ field: 'name' }, ...(series ? [{ field: 'series' }] : []), { field: 'value', format: '.3f' }, { field: 'lo', format: '.3f' }, { field: 'hi', format: '.3f' }] } },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { [catCh]: cat, [valCh]: { ...val, field: 'lo' }, [val2Ch]: { field: 'hi' }, ...offset } },
      ...(opts.points ? [{
        data: { values: opts.points as unknown as Row[] },
        mark: { type: 'point' as const, filled: true, size: 22, color: '#222', opacity: 0.7 },
        encoding: { [catCh]: cat, [valCh]: { ...val, field: 'value' }, ...offset },
      }] : []),
    ],
  } as FigureSpec;
}

/** A matrix of values in [0, 1] as a heatmap with the value written in each cell. */
export function heatmap(title: string, cells: readonly { row: string; col: string; value: number; label: string }[], axes: { row: string; col: string; value: string; rows: string[]; cols: string[] }): FigureSpec {
  const side = (n: number) => Math.max(120, Math.min(520, n * 44));
  return {
    title,
    width: side(axes.cols.length),
    height: side(axes.rows.length),
    data: { values: cells as unknown as Row[] },
    encoding: {
      x: { field: 'col', type: 'nominal', title: axes.col, sort: axes.cols, axis: { labelAngle: 0 } },
      y: { field: 'row', type: 'nominal', title: axes.row, sort: axes.rows },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: axes.value, scale: { scheme: 'viridis', domain: [0, 1] } }, tooltip: [{ field: 'row' }, { field: 'col' }, { field: 'label' }] } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.value < 0.55', value: 'white' }, value: 'black' } } },
    ],
  } as FigureSpec;
}

/** Precomputed histogram bins: [lo, hi) with a count, per panel and optional series (stacked). */
export interface Bin { panel: string; lo: number; hi: number; count: number; series?: string }

/** Counts of `values` in `bins` equal bins over [lo, hi] (values outside go to the end bins). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): { lo: number; hi: number; count: number }[] {
  const width = (hi - lo) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
  }
  return counts.map((count, b) => ({ lo: lo + b * width, hi: lo + (b + 1) * width, count }));
}

/** Histograms in small panels, one per panel name; a series stacks and colours the bars. */
export function histograms(title: string, bins: readonly Bin[], xTitle: string, seriesTitle?: string): FigureSpec {
  const series = bins.some((b) => b.series !== undefined);
  return {
    title,
    data: { values: bins as unknown as Row[] },
    facet: { field: 'panel', type: 'nominal', title: null, sort: [...new Set(bins.map((b) => b.panel))] },
    columns: 4,
    spec: {
      ...SMALL,
      mark: { type: 'bar', ...(series ? {} : { color: '#0072B2' }) },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: xTitle, bin: { binned: true }, axis: { titleLimit: SMALL.width } },
        x2: { field: 'hi' },
        y: { field: 'count', type: 'quantitative', title: 'samples', stack: series ? 'zero' : null },
        ...(series ? { color: { field: 'series', type: 'nominal', title: seriesTitle ?? '', scale: { domain: [...new Set(bins.map((b) => b.series))] } } } : {}),
        tooltip: [{ field: 'panel' }, ...(series ? [{ field: 'series' }] : []), { field: 'lo', format: '.2f' }, { field: 'hi', format: '.2f' }, { field: 'count' }],
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  } as FigureSpec;
}

/** Mean validation curves per setting over seeds, with a band of +- one standard deviation; one panel per stage. */
export interface MeanCurvePoint { setting: string; stage: string; epoch: number; mean: number; lo: number; hi: number; seeds: number }

export function overlaidCurves(title: string, points: readonly MeanCurvePoint[], yTitle: string): FigureSpec {
  const stages = [...new Set(points.map((p) => p.stage))];
  const colour = { field: 'setting', type: 'nominal' as const, title: 'setting', legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: 600 } };
  return {
    title,
    columns: 3,
    concat: stages.map((stage) => ({
      width: 260,
      height: 170,
      title: { text: stage, fontSize: 12, fontWeight: 'normal' },
      data: { values: points.filter((p) => p.stage === stage) as unknown as Row[] },
      layer: [
        { mark: { type: 'area', opacity: 0.18 }, encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } }, y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { zero: false } }, y2: { field: 'hi' }, color: colour } },
        { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'mean', type: 'quantitative' }, color: colour, tooltip: [{ field: 'setting' }, { field: 'epoch' }, { field: 'mean', format: '.4f' }, { field: 'seeds' }] } },
      ],
    })),
  } as FigureSpec;
}

/** A difference with its interval, for a forest plot. */
export interface DifferenceRow { metric: string; setting: string; mean: number; lo: number; hi: number }

/** Paired differences against a baseline: a point per setting with its interval, one panel per metric, 0 marked. */
export function forestPlot(title: string, rows: readonly DifferenceRow[]): FigureSpec {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const settings = [...new Set(rows.map((r) => r.setting))];
  return {
    title,
    columns: 3,
    concat: metrics.map((m) => ({
      width: 220,
      height: Math.max(40, settings.length * 26),
      title: { text: m, fontSize: 12, fontWeight: 'normal' },
      data: { values: rows.filter((r) => r.metric === m) as unknown as Row[] },
      layer: [
        { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeDash: [3, 3] }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
        { mark: { type: 'rule', color: '#0072B2', strokeWidth: 2 }, encoding: { y: { field: 'setting', type: 'nominal', title: null, sort: settings, axis: { labelLimit: 260 } }, x: { field: 'lo', type: 'quantitative', title: 'difference (fraction)' }, x2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, size: 50, color: '#0072B2' }, encoding: { y: { field: 'setting', type: 'nominal', sort: settings }, x: { field: 'mean', type: 'quantitative' }, tooltip: [{ field: 'setting' }, { field: 'mean', format: '+.3f' }, { field: 'lo', format: '+.3f' }, { field: 'hi', format: '+.3f' }] } },
      ],
    })),
  } as FigureSpec;
}
