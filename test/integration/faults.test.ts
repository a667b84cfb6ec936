// Kill a joint run and a DMIL run (every stage) at every one of their write points, resume, and
// compare with the uninterrupted run (test/faults/kill.ts). The fast tier samples these points.
import { test } from 'node:test';
import { tinyConfig } from '../helpers';
import { dmilFaultConfig, killEverywhere } from '../faults/kill';

test('a joint run killed at each of its write points resumes to the identical result', async (t) => {
  await killEverywhere(t, 'joint', tinyConfig({ train: { epochs: 3, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0 } }));
});

test('a DMIL run killed at each write point of every stage resumes to the identical result', async (t) => {
  await killEverywhere(t, 'dmil', dmilFaultConfig(tinyConfig()));
});
