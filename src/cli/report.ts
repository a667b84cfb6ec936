// `dmil report RUN | SWEEP | RUN...`: one self-contained HTML file with figures (Vega-Lite,
// rendered to SVG here) and their data, written into the run or sweep folder unless --out says
// where.
import * as path from 'node:path';
import type { Command } from 'commander';
import { findBaseline } from '../compare/group';
import { UserError } from '../errors';
import { findSweep } from '../sweep/folder';
import { writeFileAtomic } from '../runs/atomic';
import { checkOutputFile, outputName, writeOutputFile } from '../runs/outputFile';
import { resolveRun, timestampId } from '../runs/runFolder';
import { ensureFolder } from '../runs/storage';
import { buildCompareReport } from '../report/compareReport';
import { readCompareInput, readRunInput } from '../report/inputs';
import { buildRunReport } from '../report/runReport';
import { startBackend, threadsFor, withBackend, withRunsDir, type CommonOptions } from './common';

interface ReportOptions extends CommonOptions {
  out?: string;
  force?: boolean;
  partial?: boolean;
  mixedVersions?: boolean;
  baseline?: string;
}

async function runReport(ref: string, opts: ReportOptions): Promise<{ html: string; /** the report's own file, where --out is not given */ out: string }> {
  const run = resolveRun(ref, opts.runsDir);
  const input = await readRunInput(run.id, run.dir, () => startBackend(opts.backend, undefined, threadsFor(opts.threads)));
  const html = await buildRunReport(input, new Date());
  return { html, out: path.join(run.dir, 'report.html') };
}

async function compareReport(refs: string[], opts: ReportOptions): Promise<{ html: string; out: string }> {
  const { sweep, mixed, ...input } = readCompareInput(refs, opts.runsDir, { partial: opts.partial, mixedVersions: opts.mixedVersions, note: (line) => process.stderr.write(`${line}\n`) });
  const runs = input.groups.reduce((a, g) => a + g.runs.length, 0);
  const title = sweep ? `dmil report: sweep ${path.basename(sweep)}` : `dmil report: ${runs} runs`;
  const subtitle = `${input.groups.length} setting${input.groups.length === 1 ? '' : 's'}, ${runs} finished run${runs === 1 ? '' : 's'}${mixed ? ` (${mixed})` : ''}`;
  const baseline = opts.baseline !== undefined ? findBaseline(input.groups, opts.baseline) : undefined;
  const html = await buildCompareReport({ ...input, title, subtitle, baseline }, new Date());
  const out = sweep ? path.join(sweep, 'report.html') : path.join(opts.runsDir, 'reports', `compare-${timestampId(new Date())}.html`);
  return { html, out };
}

/** The report's default file (in the run or sweep folder, or the runs folder's reports/). */
function writeOwnFile(out: string, html: string, makeFolder: boolean): void {
  if (makeFolder) ensureFolder(path.dirname(out));
  writeFileAtomic(out, html);
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write a self-contained HTML report (figures and their data) of a run, a sweep, or several runs side by side')
    .argument('<targets...>', 'a run (id, unique prefix or folder), a sweep (id or folder), or several runs and sweeps to compare')
    .option('--baseline <setting>', 'for a sweep or several runs: add each setting minus this one (its label, or one of its runs) over matching seeds, with 95% paired-t intervals')
    .option('--out <file>', 'the HTML file to write, or - for standard output (default: report.html in the run or sweep folder; for several runs, <runs-dir>/reports/compare-<time>.html)')
    .option('--force', 'replace the --out file if it exists')
    .option('--partial', 'for a sweep with cells not done: report the done ones (and say which were left out)')
    .option('--mixed-versions', 'compare runs of different dmil versions or backends, marked as mixed');
  withBackend(withRunsDir(cmd)).action(async (refs: string[], opts: ReportOptions) => {
    const target = opts.out !== undefined ? checkOutputFile(opts.out, '--out', { force: Boolean(opts.force), example: 'report.html' }) : undefined;
    const single = refs.length === 1 && !findSweep(refs[0], opts.runsDir);
    if (single && opts.baseline !== undefined) throw new UserError('a baseline compares settings over seeds, and a single run has one setting', { where: '--baseline', hint: `dmil report SWEEP --baseline ${opts.baseline}, or leave --baseline out` });
    const { html, out } = single ? await runReport(refs[0], opts) : await compareReport(refs, opts);
    if (target) writeOutputFile(target, html);
    else writeOwnFile(out, html, !single);
    const figures = (html.match(/<figure data-figure=/g) ?? []).length;
    process.stderr.write(`wrote ${target ? outputName(target) : out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${figures} figures); open it in a browser, it needs no network\n`);
  });
}

