// Kill a joint run and a DMIL run (every stage) at a sample of their write points, resume, and
// compare with the uninterrupted run (test/faults/kill.ts). test/integration/faults.test.ts kills
// at every point.
import { test } from 'node:test';
import { tinyConfig } from './helpers';
import { dmilFaultConfig, killEverywhere } from './faults/kill';

test('a joint run killed at a sample of its write points (first, last, every 6th) resumes to the identical result', async (t) => {
  await killEverywhere(t, 'joint', tinyConfig({ train: { epochs: 3, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0 } }), 6);
});

test('a DMIL run killed at a sample of the write points of every stage (first, last, every 18th) resumes to the identical result', async (t) => {
  await killEverywhere(t, 'dmil', dmilFaultConfig(tinyConfig()), 18);
});
