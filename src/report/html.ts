// A report as one self-contained HTML file: inline SVG figures, each with its data as a table
// beside it (below it when the figure is too wide), styles inline, no script, no external resource (it opens offline, from a file).

/** A number in a table: three decimals, '-' when missing. */
export const f3 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(3));
/** A value with its interval: "0.879 [0.856, 0.899]". */
export const withCi = (v: number | null | undefined, ci: readonly [number, number] | null | undefined): string => (ci && !Number.isNaN(ci[0]) ? `${f3(v)} [${f3(ci[0])}, ${f3(ci[1])}]` : f3(v));

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Table {
  header: string[];
  rows: string[][];
  /** Shown unfolded (short tables); long ones start folded. */
  open?: boolean;
  caption?: string;
}

export interface Figure {
  kind: 'figure';
  /** Stable name, for tests and links: `data-figure` on the element. */
  id: string;
  caption: string;
  svg: string;
  data: Table;
}

export type Block = Figure | { kind: 'table'; table: Table } | { kind: 'text'; html: string } | { kind: 'pre'; caption: string; text: string };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export const text = (html: string): Block => ({ kind: 'text', html });
export const tableBlock = (t: Table): Block => ({ kind: 'table', table: t });
export const preBlock = (caption: string, body: string): Block => ({ kind: 'pre', caption, text: body });

export function tableHtml(t: Table): string {
  // Key-value tables have no column names: no header row.
  const head = t.header.some((h) => h !== '') ? `<thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : '';
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<table>${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}${head}${body}</table>`;
}

function blockHtml(b: Block): string {
  if (b.kind === 'text') return `<p>${b.html}</p>`;
  if (b.kind === 'table') return `<div class="table">${tableHtml(b.table)}</div>`;
  if (b.kind === 'pre') return `<p>${esc(b.caption)}</p><pre>${esc(b.text)}</pre>`;
  const rows = b.data.rows.length;
  return `<figure data-figure="${esc(b.id)}" id="fig-${esc(b.id)}"><div class="plot">${b.svg}</div>`
    + `<figcaption>${esc(b.caption)}</figcaption>`
    + `<details class="data"${b.data.open ? ' open' : ''}><summary>data (${rows} row${rows === 1 ? '' : 's'})</summary>${tableHtml(b.data)}</details></figure>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 1180px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #555; margin: 0 0 12px; }
nav { font-size: 13px; margin: 8px 0 16px; } nav a { margin-right: 12px; color: #0b5cad; }
figure { margin: 12px 0 20px; break-inside: avoid; page-break-inside: avoid; display: flex; flex-wrap: wrap; align-items: flex-start; gap: 4px 28px; }
.plot { overflow-x: auto; max-width: 100%; } .plot svg { max-width: 100%; height: auto; }
details.data { flex: 1 1 260px; margin-top: 24px; }
figcaption { color: #333; font-size: 13px; margin: 4px 0; max-width: 900px; flex-basis: 100%; order: 3; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; margin: 6px 0; }
th, td { border: 1px solid #d4d4d4; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; } caption { text-align: left; color: #444; padding: 2px 0; }
.table { overflow-x: auto; } details.data { font-size: 12.5px; } details.data summary { cursor: pointer; color: #0b5cad; }
details.data table { max-height: none; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
.note { color: #6b4e00; background: #fff7df; border: 1px solid #f0dfa8; padding: 6px 10px; }
@media print { body { max-width: none; padding: 0; font-size: 11px; } nav { display: none; } details.data:not([open]) { display: none; } h2 { break-after: avoid; } }
`;

export function page(title: string, subtitle: string, sections: Section[]): string {
  const nav = sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.blocks.map(blockHtml).join('\n')}</section>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`
    + `<title>${esc(title)}</title><style>${STYLE}</style></head>\n<body><h1>${esc(title)}</h1><p class="sub">${esc(subtitle)}</p><nav>${nav}</nav>\n${body}\n</body></html>\n`;
}
