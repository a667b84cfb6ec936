// Runs of earlier dmil versions (test/fixtures/runs, trained by those versions): this version
// reads them, resumes the interrupted one to what an uninterrupted run of that version gave, and
// re-trains a run from its config.yaml to its recorded metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configVersion, upgradeConfig } from '../src/config/versions';
import { fixture, lastLine, runCli, tmpDir } from './helpers';

const expected = JSON.parse(fs.readFileSync(fixture('runs/expected.json'), 'utf8')) as Record<string, { 'old-long': { uninterrupted: { accuracy: number; macro_f1: number } } }>;

/** A fresh copy of a version's runs (commands write into them) and the id of each by name. */
function copyRuns(version: string): { runsDir: string; id: (name: string) => string } {
  const runsDir = path.join(tmpDir(`old-${version}`), 'runs');
  fs.cpSync(fixture(`runs/${version}`), runsDir, { recursive: true });
  const ids = fs.readdirSync(runsDir);
  return { runsDir, id: (name) => ids.find((i) => i.startsWith(`${name}-`))! };
}

const recorded = (runsDir: string, id: string) => JSON.parse(fs.readFileSync(path.join(runsDir, id, 'eval', 'test.json'), 'utf8')) as { accuracy: number; macro_f1: number; per_type: Record<string, number> };

for (const version of ['0.1.0', '0.2.0']) {
  test(`hostile cases 9-12, runs of dmil ${version}: eval, decompose, report and pid read them; eval gives the recorded metrics`, () => {
    const { runsDir, id } = copyRuns(version);
    for (const name of ['old-joint', 'old-dmil']) {
      const before = recorded(runsDir, id(name));
      const r = runCli(['eval', id(name), '--runs-dir', runsDir, '--json']);
      assert.equal(r.status, 0, `${version} eval ${name}: ${r.stderr}`);
      const now = JSON.parse(r.stdout) as { accuracy: number; macro_f1: number; per_type: Record<string, number> };
      assert.deepEqual([now.accuracy, now.macro_f1, now.per_type], [before.accuracy, before.macro_f1, before.per_type], `${version} ${name}: the recorded metrics`);
    }
    const out = path.join(path.dirname(runsDir), 'scores.csv');
    const dec = runCli(['decompose', id('old-dmil'), '--runs-dir', runsDir, '--out', out]);
    assert.equal(dec.status, 0, dec.stderr);
    assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 1 + 45, 'one row per test sample');
    const rep = runCli(['report', id('old-dmil'), '--runs-dir', runsDir]);
    assert.equal(rep.status, 0, rep.stderr);
    const pid = runCli(['pid', id('old-joint'), '--runs-dir', runsDir, '--estimator', 'exact', '--split', 'all', '--json', '-q']);
    assert.equal(pid.status, 0, pid.stderr);
    assert.equal(JSON.parse(pid.stdout).samples, 300);
  });

  test(`hostile cases 13, 14, runs of dmil ${version}: the interrupted one resumes to the uninterrupted result; the failed one resumes (and fails again, as it diverges)`, () => {
    const { runsDir, id } = copyRuns(version);
    const r = runCli(['train', '--resume', id('old-long'), '--runs-dir', runsDir, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const now = recorded(runsDir, id('old-long'));
    assert.deepEqual({ accuracy: now.accuracy, macro_f1: now.macro_f1 }, expected[version]['old-long'].uninterrupted);
    const failed = runCli(['train', '--resume', id('old-diverge'), '--runs-dir', runsDir, '-q']);
    assert.equal(failed.status, 2);
    assert.match(failed.stderr, /training diverged/, 'its config loads; the run fails for its own reason');
  });

  test(`runs of dmil ${version}: re-training a run from its config.yaml gives its recorded metrics`, () => {
    const { runsDir, id } = copyRuns(version);
    for (const name of ['old-joint', 'old-dmil']) {
      const r = runCli(['train', path.join(runsDir, id(name), 'config.yaml'), '--runs-dir', runsDir]);
      assert.equal(r.status, 0, r.stderr);
      if (version === '0.1.0') assert.match(r.stderr, /the config of a dmil 0\.1\.0 run: read with that version's behaviour/);
      const [before, after] = [recorded(runsDir, id(name)), recorded(runsDir, lastLine(r.stdout))];
      assert.deepEqual([after.accuracy, after.macro_f1, after.per_type], [before.accuracy, before.macro_f1, before.per_type], `${version} ${name} re-trained`);
    }
  });
}

test('configVersion tells 0.1.0 and 0.2.0 configs apart (both recorded "0.1.0"); upgradeConfig fills 0.1.0\'s behaviour and keeps only the paradigm\'s own keys', () => {
  const v1 = { model: { paradigm: 'joint', head: { hidden: [64] }, dmil: { latent: 32 } }, train: { epochs: 3 } };
  assert.equal(configVersion(v1, '0.1.0'), '0.1.0');
  assert.equal(configVersion({ model: { paradigm: 'joint', init: 'torch' } }, '0.1.0'), '0.2.0');
  assert.equal(configVersion({ model: { paradigm: 'joint' } }, '0.3.0'), '0.3.0', 'from 0.3.0 on, meta.json says');
  const { config, steps } = upgradeConfig(v1, '0.1.0');
  assert.deepEqual(config, { model: { paradigm: 'joint', head: { hidden: [64] }, init: 'he' }, train: { epochs: 3, divergence: 0, checkpoint_seconds: 0, keep_incoming: false } });
  assert.deepEqual(steps, ['0.1.0 -> 0.2.0', '0.2.0 -> 0.3.0', '0.3.0 -> 0.4.0']);
  const dmil = upgradeConfig({ model: { paradigm: 'dmil', head: { hidden: [64] }, dmil: { latent: 4 }, init: 'glorot' } }, '0.1.0').config;
  assert.deepEqual(dmil.model, { paradigm: 'dmil', dmil: { latent: 4 }, init: 'glorot' }, 'a key the config has is kept');
  assert.deepEqual(upgradeConfig({ model: { init: 'torch' } }, '0.2.0').config, { model: { init: 'torch' }, train: { keep_incoming: true } }, 'from 0.2.0: the rule it had');
});

test('compare refuses runs of two dmil versions in one table, and with --mixed-versions marks the table as mixed', () => {
  const { runsDir, id } = copyRuns('0.2.0');
  const retrained = runCli(['train', path.join(runsDir, id('old-joint'), 'config.yaml'), '--runs-dir', runsDir, '-q', '--set', 'seed=2']);
  assert.equal(retrained.status, 0, retrained.stderr);
  const both = [id('old-joint'), lastLine(retrained.stdout), '--runs-dir', runsDir];
  const refused = runCli(['compare', ...both]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^dmil: dmil compare: the runs mix dmil versions 0\.2\.0 \(1 run\), \d+\.\d+\.\d+ \(1 run\) \(retrain the others with one dmil version and backend, or pass --mixed-versions/);
  const marked = runCli(['compare', ...both, '--mixed-versions']);
  assert.equal(marked.status, 0, marked.stderr);
  assert.match(marked.stdout, /^mixed: the runs mix dmil versions 0\.2\.0 \(1 run\), \d+\.\d+\.\d+ \(1 run\)\n\ntest metrics/);
  const report = runCli(['report', ...both, '--out', path.join(path.dirname(runsDir), 'mixed.html')]);
  assert.equal(report.status, 2, 'report refuses them too');
});
