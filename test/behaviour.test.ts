// The method's claims, checked on data with known interaction types (dmil-method.md, "Checks
// that any correct implementation passes"). Thresholds come from `calibrate.js` over seeds 1-8
// (worst seed in brackets) with margin; the test trains seed 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../src/backend/select';
import { INTERACTION_TYPES } from '../src/interactionTypes';
import { mixBehaviour, xorBehaviour } from './behaviour/measure';

test('pure XOR: the ensemble stays at chance with no synergy, DMIL is far above chance', async () => {
  await selectBackend('wasm');
  const r = await xorBehaviour(1);
  assert.ok(r.ensemble < 0.45, `ensemble accuracy ${r.ensemble} (chance 0.33; worst seed 0.37)`);
  assert.ok(r.ensembleSynergy < 0.05, `ensemble synergy indicator ${r.ensembleSynergy} (worst seed 0.025)`);
  assert.ok(r.dmil > 0.85, `dmil accuracy ${r.dmil} (worst seed 1.000)`);
});

test('four interaction types: the gate favours each type\'s own component, each head is best on its own type, S far above the ensemble', async () => {
  await selectBackend('wasm');
  const r = await mixBehaviour(1);
  for (const t of INTERACTION_TYPES) {
    assert.ok(r.gateMargin[t] > 0.05, `${t} samples: own gate weight leads by ${r.gateMargin[t]} (worst seed 0.21)`);
    // On redundant samples every head reads the label, so "best" allows a tie within 0.05.
    assert.ok(r.headMargin[t] > -0.05, `${t} samples: own head ${r.headMargin[t]} from the best other head (worst seed -0.017)`);
  }
  assert.ok(r.headMargin.S > 0.3, `S samples: the S head leads by ${r.headMargin.S} (worst seed 0.55)`);
  assert.ok(r.sOverEnsemble > 0.3, `S-sample accuracy over the ensemble's: ${r.sOverEnsemble} (worst seed 0.51)`);
  assert.ok(r.u1OverU2 > 0.3, `U1 samples: U1 head over U2 head ${r.u1OverU2} (worst seed 0.65)`);
  assert.ok(r.u2OverU1 > 0.3, `U2 samples: U2 head over U1 head ${r.u2OverU1} (worst seed 0.62)`);
  assert.ok(r.accuracy.dmil > r.accuracy.ensemble, `dmil ${r.accuracy.dmil} vs ensemble ${r.accuracy.ensemble}`);
});
