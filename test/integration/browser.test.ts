// Every kind of report opened in headless Chromium (Debian's chromium, driven by playwright-core):
// no console error, no network request, every figure drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromiumPath, openReport } from '../../bench/browser';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from '../helpers';

const expected = {
  joint: ['curves-train', 'per-type', 'per-class', 'confusion'],
  dmil: ['curves-decompose-intra', 'curves-decompose-cross', 'per-type', 'per-class', 'confusion', 'gate-by-type', 'component-accuracy', 'evidence', 'member-agreement'],
  ensemble: ['curves-member-a', 'curves-member-b', 'per-type', 'per-class', 'confusion', 'member-agreement'],
  sweep: ['accuracy-by-setting', 'accuracy-by-type', 'curves-by-setting', 'paired-differences'],
};

test('every kind of report opens in headless Chromium with no error, no request, and every figure drawn', async (t) => {
  const chromium = chromiumPath();
  if (!chromium) {
    t.skip('no Chromium here (.ci/run installs Debian\'s chromium)');
    return;
  }
  const dir = tmpDir('report-browser');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 4, batch_size: 32, early_stop: { patience: 0 } } }));
  const reports: Record<string, string> = {};
  for (const paradigm of ['joint', 'dmil', 'ensemble'] as const) {
    const r = runCli(['train', cfg, '--set', `model.paradigm=${paradigm}`, '--runs-dir', runsDir, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const id = lastLine(r.stdout);
    const rep = runCli(['report', id, '--runs-dir', runsDir]);
    assert.equal(rep.status, 0, rep.stderr);
    assert.match(rep.stderr, /^wrote \S+report\.html \(\d+ KiB, \d+ figures\); open it in a browser, it needs no network\n$/, 'one line, no warnings from the plotting library');
    reports[paradigm] = path.join(runsDir, id, 'report.html');
  }
  const sweep = runCli(['sweep', cfg, '--axis', 'seed=1,2,3', '--axis', 'model.paradigm=joint,dmil', '--jobs', '2', '--runs-dir', runsDir, '-q']);
  assert.equal(sweep.status, 0, sweep.stderr);
  const rep = runCli(['report', lastLine(sweep.stdout), '--runs-dir', runsDir, '--baseline', 'model.paradigm=joint']);
  assert.equal(rep.status, 0, rep.stderr);
  assert.match(rep.stderr, /^wrote \S+report\.html \(\d+ KiB, 4 figures\); open it in a browser, it needs no network\n$/);
  reports.sweep = path.join(runsDir, 'sweeps', lastLine(sweep.stdout), 'report.html');
  for (const [kind, file] of Object.entries(reports)) {
    const shot = path.join(dir, `${kind}.png`);
    const page = await openReport(file, shot);
    assert.deepEqual(page.errors, [], `${kind}: console errors`);
    assert.deepEqual(page.requests, [], `${kind}: the report asked the network for something`);
    for (const fig of expected[kind as keyof typeof expected]) assert.ok((page.figures[fig] ?? 0) > 0, `${kind}: figure ${fig} is missing or has no marks (${JSON.stringify(page.figures)})`);
    assert.ok(fs.statSync(shot).size > 10_000, `${kind}: screenshot saved`);
  }
  const sweepHtml = fs.readFileSync(reports.sweep, 'utf8');
  assert.match(sweepHtml, /model\.paradigm=dmil/);
  assert.match(sweepHtml, /<h2>Paired differences against model\.paradigm=joint<\/h2>/);
  assert.match(sweepHtml, /<td>model\.paradigm=dmil<\/td><td>3<\/td><td>[+-]\d\.\d{3} \[[+-]\d\.\d{3}, [+-]\d\.\d{3}\]<\/td>/, 'dmil minus joint over 3 seeds, with its interval');
  assert.match(sweepHtml, /<td>seed=3 model\.paradigm=joint<\/td><td>done<\/td>/, 'the sweep\'s cells and their state');
});
