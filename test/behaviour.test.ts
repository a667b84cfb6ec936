// The method's claims, checked on data with known interaction types (dmil-method.md, "Checks
// that any correct implementation passes"). Thresholds come from `node dist/test/behaviour/
// calibrate.js 1 8` under 0.4.0's defaults (worst of seeds 1-8 in brackets) with margin; the test
// trains seed 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../src/backend/select';
import { mixBehaviour, xorBehaviour } from './behaviour/measure';

test('pure XOR: the ensemble stays at chance with no synergy, DMIL is far above chance', async () => {
  await selectBackend('wasm');
  const r = await xorBehaviour(1);
  assert.ok(r.ensemble < 0.45, `ensemble accuracy ${r.ensemble} (chance 0.33; worst seed 0.387)`);
  assert.ok(r.ensembleSynergy < 0.05, `ensemble synergy indicator ${r.ensembleSynergy} (worst seed 0.029)`);
  assert.ok(r.dmil > 0.85, `dmil accuracy ${r.dmil} (worst seed 1.000)`);
});

test('four interaction types: the gate routes each type to its own component, each head is best on its own type, S far above the ensemble', async () => {
  await selectBackend('wasm');
  const r = await mixBehaviour(1);
  const atLeast = (v: number, min: number, what: string, worst: number) => assert.ok(v > min, `${what}: ${v} (threshold ${min}; worst seed ${worst})`);
  // The own component carries the most weight on every type's samples...
  atLeast(r.gateMargin.R, 0.06, 'R samples: g_R over the next weight', 0.125);
  atLeast(r.gateMargin.U1, 0.04, 'U1 samples: g_U1 over the next weight', 0.081);
  atLeast(r.gateMargin.U2, 0.08, 'U2 samples: g_U2 over the next weight', 0.162);
  atLeast(r.gateMargin.S, 0.5, 'S samples: g_S over the next weight', 0.976);
  // ...and the specification's contrasts hold.
  atLeast(r.gateContrast.S, 0.4, 'g_S on S samples minus on R samples', 0.651);
  atLeast(r.gateContrast.U1, 0.3, 'g_U1 on U1 samples minus on U2 samples', 0.462);
  atLeast(r.gateContrast.U2, 0.25, 'g_U2 on U2 samples minus on U1 samples', 0.523);
  // Each head is (within 0.1, for redundant information every head can read) the best on its own type.
  for (const t of ['R', 'U1', 'U2'] as const) atLeast(r.headMargin[t], -0.1, `${t} samples: own head minus the best other head`, -0.021);
  atLeast(r.headMargin.S, 0.3, 'S samples: the S head over the best other head', 0.546);
  atLeast(r.u1OverU2, 0.35, 'U1 samples: U1 head over U2 head', 0.627);
  atLeast(r.u2OverU1, 0.35, 'U2 samples: U2 head over U1 head', 0.568);
  atLeast(r.sOverEnsemble, 0.3, 'S-sample accuracy over the ensemble\'s', 0.535);
  atLeast(r.accuracy.dmil - r.accuracy.ensemble, 0.05, 'accuracy over the ensemble\'s', 0.133);
});
