// Every paradigm trains end to end from a 6,000-row CSV (labels as names, a split column) and
// evaluates to better than chance, reporting the labels as the data names them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastLine, runCli } from '../helpers';
import { classNames, csvNpyFixture } from '../csvNpy/fixture';

const { runsDir, data, csvCfg, evalJson } = csvNpyFixture(6000);

for (const paradigm of ['unimodal', 'joint', 'ensemble', 'dmil']) {
  test(`${paradigm} trains end to end from a 6000-row CSV`, () => {
    const dmil = paradigm === 'dmil' ? ['--set', 'model.dmil.latent=8'] : [];
    const r = runCli(['train', csvCfg, '--runs-dir', runsDir, '--set', `model.paradigm=${paradigm}`, ...dmil, '-q']);
    assert.equal(r.status, 0, r.stderr);
    const report = evalJson(lastLine(r.stdout));
    assert.equal(report.samples, data.split.filter((s) => s === 2).length);
    assert.deepEqual(Object.keys(report.per_class), classNames, 'reports the labels as the data names them');
    assert.ok(report.accuracy > 0.4, `${paradigm}: accuracy ${report.accuracy}`);
  });
}
