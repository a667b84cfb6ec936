// Every paradigm besides DMIL (whose K-modality tests are dmilK.test.ts) trains on three
// modalities: unimodal on the one it names, joint on all three concatenated, ensemble and late
// fusion with one head per modality; eval reports each modality's own accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

const data = {
  source: 'synthetic', samples: 600, classes: 3, mix: { R: 1, U1: 1, U2: 1, U3: 1 },
  modalities: [{ name: 'a', dim: 6, noise: 0.3 }, { name: 'b', dim: 5, noise: 0.3 }, { name: 'c', dim: 4, noise: 0.3 }],
};

test('unimodal, joint, ensemble and late-fusion train and evaluate on three modalities', () => {
  const dir = tmpDir('three-modalities');
  const runs = path.join(dir, 'runs');
  for (const model of [{ paradigm: 'unimodal', modality: 'c' }, { paradigm: 'joint' }, { paradigm: 'ensemble' }, { paradigm: 'late-fusion' }]) {
    const config = tinyConfig({ data, model: { ...model, backbone: { hidden: [16], out: 8 } }, train: { epochs: 6, batch_size: 32, early_stop: { patience: 0 } } });
    const r = runCli(['train', writeConfig(dir, config, `${model.paradigm}.yaml`), '--runs-dir', runs, '-q']);
    assert.equal(r.status, 0, `${model.paradigm}: ${r.stderr}`);
    const ev = runCli(['eval', lastLine(r.stdout), '--runs-dir', runs, '--json']);
    assert.equal(ev.status, 0, ev.stderr);
    const report = JSON.parse(ev.stdout);
    // Each of R, U1, U2, U3 is a quarter of the samples; three classes: chance is 1/3.
    assert.ok(report.accuracy > 0.45, `${model.paradigm}: accuracy ${report.accuracy}`);
    if (model.paradigm === 'ensemble' || model.paradigm === 'late-fusion') {
      assert.deepEqual(Object.keys(report.unimodal_accuracy), ['a', 'b', 'c'], model.paradigm);
    }
  }
});
