// DMIL on three modalities with known types (4,000 samples, 3 classes; test/behaviour/measure.ts
// mix3Config), seeds 1-5, about a minute a seed. The claims (dmil-method.md, "More than two
// modalities"): the gate's own component leads on R, on each U_m and on S samples, and DMIL is
// at least as accurate as joint. Measured with `node dist/test/behaviour/calibrate.js 1 5 --mix3`
// (worst seed in brackets): R, U_b and U_c lead on every seed; on seed 4 DMIL never learns the
// three-way synergy (S accuracy 0.30, chance 0.33; its first stage stops improving at epoch 15
// also with 60 epochs and patience 20 allowed, and with 8,000 samples S stays at chance 0.36),
// its S samples go to other components, U_a loses its lead and joint is more accurate (0.877
// against 0.860). So the test asserts per seed what holds on every seed, and the rest on four of
// five: a seed like 4 more would fail it. docs/explanation/method.md reports the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select';
import { mix3Behaviour, type Mix3Behaviour } from '../behaviour/measure';

test('three modalities, seeds 1-5: R, U_b and U_c lead on every seed; U_a, S and accuracy over joint on four of five', async () => {
  await selectBackend('wasm');
  const seeds = [1, 2, 3, 4, 5];
  const runs: Array<Mix3Behaviour & { seed: number }> = [];
  for (const seed of seeds) runs.push({ seed, ...(await mix3Behaviour(seed)) });
  const show = (f: (r: Mix3Behaviour) => number) => runs.map((r) => `seed ${r.seed}: ${f(r).toFixed(3)}`).join(', ');
  const everySeed = (f: (r: Mix3Behaviour) => number, min: number, what: string, worst: number) =>
    assert.ok(runs.every((r) => f(r) > min), `${what} > ${min} on every seed (worst seed ${worst}): ${show(f)}`);
  const fourOfFive = (f: (r: Mix3Behaviour) => number, min: number, what: string, worstOfFour: number) =>
    assert.ok(runs.filter((r) => f(r) > min).length >= 4, `${what} > ${min} on four of five seeds (worst of the four ${worstOfFour}): ${show(f)}`);

  everySeed((r) => r.gateMargin.R, 0.03, 'R samples: g_R over the next weight', 0.078);
  everySeed((r) => r.gateMargin.U2, 0.1, 'U_b samples: g_U_b over the next weight', 0.226);
  everySeed((r) => r.gateMargin.U3, 0.08, 'U_c samples: g_U_c over the next weight', 0.187);
  fourOfFive((r) => r.gateMargin.U1, 0.2, 'U_a samples: g_U_a over the next weight', 0.409);
  fourOfFive((r) => r.gateMargin.S, 0.5, 'S samples: g_S over the next weight', 0.951);
  fourOfFive((r) => r.sAccuracy.dmil - r.sAccuracy.joint, 0.2, 'S-sample accuracy over joint\'s', 0.475);
  fourOfFive((r) => r.accuracy.dmil - r.accuracy.joint, 0.05, 'accuracy over joint\'s', 0.108);
});
