// What a user watches during training: the bar on a terminal (a pseudo-terminal made by
// util-linux's `script`), and one line per epoch with the same fields in a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { dmilBin, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';
import { eta, formatDuration, formatRate } from '../src/train/pace';

// 3000 samples in batches of 16 give the terminal bar enough steps to draw; a pipe needs fewer.
const config = (samples = 3000) => tinyConfig({
  data: { source: 'synthetic', samples, classes: 3, mix: { R: 1, U1: 1, U2: 1, S: 1 }, modalities: [{ name: 'a', dim: 16, noise: 0.3 }, { name: 'b', dim: 16, noise: 0.3 }] },
  // Two of the three stages: enough to see "stage k/N" change, and half a minute shorter.
  model: { paradigm: 'dmil', backbone: { hidden: [32], out: 16 }, dmil: { latent: 8, stages: [{ name: 'decompose-intra' }, { name: 'decompose-cross' }] } },
  train: { epochs: 2, batch_size: 16, early_stop: { patience: 0 } },
});

test('ETAs and rates: upper bounds from the pace so far', () => {
  // 10 of 40 steps in 2 s: 6 s left in the epoch; 3 more epochs of 8 s; 5 later epochs.
  assert.deepEqual(eta({ steps: 10, samples: 160, seconds: 2, stepsPerEpoch: 40, epochsLeft: 3, laterEpochs: 5 }), { epoch: 6, stage: 30, run: 70 });
  assert.deepEqual(eta({ steps: 10, samples: 160, seconds: 2, stepsPerEpoch: 40, epochSeconds: 10, epochsLeft: 1, laterEpochs: 0 }), { epoch: 6, stage: 16, run: 16 });
  assert.deepEqual([formatDuration(45.4), formatDuration(200), formatDuration(3900)], ['45s', '3m20s', '1h05m']);
  assert.equal(formatRate(12400.4), '12,400');
});

test('on a terminal the bar shows stage k/N, epoch, steps, samples/s, running loss, last val accuracy and ETAs, across the width', () => {
  const dir = tmpDir('progress-tty');
  const cfg = writeConfig(dir, config());
  const cmd = `stty cols 200; "${process.execPath}" "${dmilBin}" train "${cfg}" --runs-dir "${path.join(dir, 'runs')}"`;
  const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  assert.equal(r.status, 0, r.stderr);
  const frames = r.stdout.split(/\r|\x1b\[\d*[GK]/);
  const bar = /^(decompose-intra \(1\/2\)|decompose-cross \(2\/2\)) epoch (\d)\/2 \[(.+)\] \d+\/\d+ steps \| samples\/s [\d,]+ \| loss \d+\.\d{4}( \| val acc \d\.\d{4})? \| ETA epoch \d+s, stage <= \S+, run <= \S+$/;
  const matched = frames.map((f) => f.trim()).map((f) => bar.exec(f)).filter((m): m is RegExpExecArray => m !== null);
  assert.ok(matched.some((m) => m[1].startsWith('decompose-intra')) && matched.some((m) => m[1].startsWith('decompose-cross')), `bars of both stages (got ${matched.length} frames)`);
  assert.ok(matched.some((m) => m[2] === '2' && m[4] !== undefined), 'the second epoch shows the first epoch\'s validation accuracy');
  assert.ok(matched.every((m) => [...m[3]].length >= 40), 'the bar uses the terminal\'s width');
});

test('in a pipe every epoch is one line with the same fields', () => {
  const dir = tmpDir('progress-pipe');
  const r = runCli(['train', writeConfig(dir, config(600)), '--runs-dir', path.join(dir, 'runs')]);
  assert.equal(r.status, 0, r.stderr);
  const epochs = r.stderr.split('\n').filter((l) => / epoch [12]\/2: /.test(l));
  assert.equal(epochs.length, 4, r.stderr);
  for (const l of epochs) {
    assert.match(l, /^(decompose-intra \(1\/2\)|decompose-cross \(2\/2\)) epoch \d\/2: train loss \S+ acc \d\.\d{4} \| val loss \S+ ce \S+ acc \d\.\d{4}( \(best so far\))? \| [\d,]+ samples\/s, \d+\.\ds \| left: stage <= \S+, run <= \S+$/);
  }
  assert.ok(!/\x1b\[/.test(r.stderr), 'no terminal control codes in a pipe');
});
