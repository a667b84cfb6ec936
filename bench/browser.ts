// Opening a report in headless Chromium (Debian's `chromium`, driven by playwright-core): what
// loaded, what the page asked the network for, what it logged as errors, and each figure's marks.
// Used by the report test and the report benchmark.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PageCheck {
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Every request other than the report file itself. */
  requests: string[];
  /** data-figure name -> number of data marks (paths, lines, text drawn by the figure's mark groups). */
  figures: Record<string, number>;
  /** Milliseconds from navigation start to the load event (the page and its inline SVG parsed and laid out). */
  loadMs: number;
  /** Milliseconds from navigation start to the second animation frame after load (drawn on screen). */
  renderedMs: number;
  bytes: number;
}

/** The Chromium to drive: $CHROMIUM, else Debian's. Undefined when there is none. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => fs.existsSync(p));
}

export async function openReport(file: string, screenshot?: string): Promise<PageCheck> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium (install Debian\'s chromium, or set CHROMIUM)');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(path.resolve(file)).href;
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    // Evaluated in the page (strings: this file compiles without the DOM's types).
    const loadMs = await page.evaluate<number>('(() => { const nav = performance.getEntriesByType("navigation")[0]; return nav.loadEventEnd - nav.startTime; })()');
    const renderedMs = await page.evaluate<number>('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))');
    // Vega draws each data mark as a group with class role-mark; axes, legends and titles have other roles.
    const figures = await page.evaluate<Record<string, number>>(`Object.fromEntries([...document.querySelectorAll('figure[data-figure]')].map((f) => [
      f.getAttribute('data-figure'),
      [...f.querySelectorAll('svg g.role-mark')].reduce((n, g) => n + g.querySelectorAll('path, line, text, rect, circle').length, 0),
    ]))`);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, requests, figures, loadMs, renderedMs, bytes: fs.statSync(file).size };
  } finally {
    await browser.close();
  }
}
