// dmil report: the figures' math against closed forms and a report of a run still training.
// Every kind of report opened in headless Chromium: integration/browser.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarise, type Group } from '../src/compare/group';
import { histogram, metricUnit } from '../src/report/charts';
import { meanCurves, summaryCell } from '../src/report/compareReport';
import { dmilBin, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('histogram bins count every value once, the ends included', () => {
  const bins = histogram([0, 0.1, 0.25, 0.5, 0.99, 1, Number.NaN, -3, 7], 4, 0, 1);
  assert.deepEqual(bins.map((b) => b.count), [3, 1, 1, 3]);
  assert.deepEqual(bins.map((b) => [b.lo, b.hi]), [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]);
});

test('a setting\'s cell is mean ± sd with the 95% t-interval over seeds', () => {
  // 0.80, 0.85, 0.90: mean 0.85, sd 0.05, half-width t(0.975, 2) * 0.05 / sqrt(3) = 0.124206.
  assert.equal(summaryCell(summarise([0.8, 0.85, 0.9])), '0.850 ± 0.050 [0.726, 0.974]');
  assert.equal(summaryCell(summarise([0.8])), '0.800');
  // 0.90, 0.99, 0.95: mean 0.947, half-width 0.112; the interval stops at 1, where accuracy does.
  assert.equal(summaryCell(summarise([0.9, 0.99, 0.95])), '0.947 ± 0.045 [0.835, 1.000]');
  assert.equal(metricUnit('accuracy'), 'fraction correct');
  assert.equal(metricUnit('ce_S'), 'nats');
  assert.equal(metricUnit('rec_2'), 'squared error');
});

test('overlaid curves average each epoch over the runs that reached it, stages in training order', () => {
  const run = (id: string, seed: number) => ({ id, seed, config: {}, metrics: { accuracy: 0.5 } });
  const groups: Group[] = [{ label: 'g', runs: [run('r1', 1), run('r2', 2)], metrics: {} }];
  const row = (stage: string, epoch: number, accuracy: number) => ({ stage, epoch, split: 'val' as const, values: { accuracy } });
  const curves = { r1: [row('intra', 0, 0.2), row('intra', 1, 0.6), row('cross', 0, 0.6)], r2: [row('intra', 0, 0.4), row('cross', 0, 0.7), row('cross', 1, 0.9)] };
  const pts = meanCurves(groups, curves);
  assert.deepEqual(pts.map((p) => [p.stage, p.epoch, p.seeds]), [['intra', 0, 2], ['intra', 1, 1], ['cross', 0, 2], ['cross', 1, 1]]);
  const first = pts[0];
  assert.ok(Math.abs(first.mean - 0.3) < 1e-12 && Math.abs(first.hi - first.mean - Math.SQRT1_2 * 0.2) < 1e-12, 'sd of 0.2 and 0.4 is 0.1414');
  assert.equal(pts[1].lo, pts[1].hi, 'one run: no band');
});

test('a report of a run still training shows the epochs so far, without its lock', async () => {
  const dir = tmpDir('report-live');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig({ data: { ...(tinyConfig().data as object), samples: 2000 }, train: { epochs: 400, batch_size: 8, early_stop: { patience: 0 } } }));
  const child = spawn(process.execPath, [dmilBin, 'train', cfg, '--runs-dir', runsDir, '-q'], { stdio: 'ignore' });
  try {
    const metrics = () => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).map((d) => path.join(runsDir, d, 'metrics.csv')).find((f) => fs.existsSync(f) && fs.readFileSync(f, 'utf8').split('\n').length > 4) : undefined);
    for (let i = 0; i < 600 && !metrics(); i++) await new Promise((r) => setTimeout(r, 100));
    const file = metrics();
    assert.ok(file, 'the run wrote epochs');
    const out = runCli(['report', path.dirname(file), '--runs-dir', runsDir]);
    assert.equal(out.status, 0, out.stderr);
    const html = fs.readFileSync(path.join(path.dirname(file), 'report.html'), 'utf8');
    assert.match(html, /This run is running \(stage train\): the report shows what exists so far/);
    assert.match(html, /data-figure="curves-train"/);
    assert.doesNotMatch(html, /data-figure="confusion"/, 'no test evaluation yet');
  } finally {
    child.kill('SIGKILL');
  }
});
