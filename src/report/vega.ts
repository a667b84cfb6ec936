// Figures are Vega-Lite specifications, compiled with Vega-Lite and rendered to SVG by Vega in
// Node (no browser, no canvas: `renderer: 'none'` and `toSVG()`). Both packages are ES modules,
// so they are loaded with a real dynamic import (this file compiles to CommonJS with `import()`
// kept as is, tsconfig's module node16).
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import type { Figure, Table } from './html';

export type FigureSpec = TopLevelSpec;

/**
 * Okabe and Ito's palette ("Color Universal Design", 2008): eight colours told apart under the
 * common forms of colour blindness, and in greyscale print by lightness. Continuous colour uses
 * viridis, which is perceptually uniform and colour-blind-safe.
 */
export const CATEGORY_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const SEQUENTIAL_SCHEME = 'viridis';

/** What every figure shares: fonts and sizes readable on a laptop and in print, the palette. */
const THEME = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  background: 'white',
  range: { category: CATEGORY_COLOURS, ordinal: { scheme: SEQUENTIAL_SCHEME }, heatmap: { scheme: SEQUENTIAL_SCHEME }, ramp: { scheme: SEQUENTIAL_SCHEME } },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e5e5e5' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 13, fontWeight: 'bold', anchor: 'start' },
  view: { stroke: '#d0d0d0' },
  concat: { spacing: 24 },
} as const;

type VegaModule = typeof import('vega', { with: { 'resolution-mode': 'import' } });
type VegaLiteModule = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });

let modules: Promise<[VegaModule, VegaLiteModule]> | undefined;
const load = () => (modules ??= Promise.all([import('vega'), import('vega-lite')]));

/** Warnings Vega-Lite and Vega gave while compiling and rendering (they would otherwise go to the console). */
export const renderWarnings: string[] = [];

/** A figure block of the page: the spec rendered, with its caption and data table. */
export async function figure(id: string, caption: string, spec: FigureSpec, data: Table): Promise<Figure> {
  return { kind: 'figure', id, caption, svg: await renderSvg(spec), data };
}

/** One figure as a standalone SVG element. */
export async function renderSvg(spec: FigureSpec): Promise<string> {
  const [vega, vl] = await load();
  const logger = vega.logger(vega.Warn);
  const keep = (...args: unknown[]) => {
    renderWarnings.push(args.map(String).join(' '));
    return logger;
  };
  Object.assign(logger, { warn: keep, info: () => logger, debug: () => logger, error: (...args: unknown[]) => {
    throw new Error(args.map(String).join(' '));
  } });
  const compiled = vl.compile(spec, { config: THEME as never, logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
