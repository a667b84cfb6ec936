// The batch PID estimator (trained classifiers, about 20 s a type on 2 cores) on data of a known
// interaction type; the fast tier checks the exact estimator on the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select';
import { pidOf } from '../pid/singleType';

test('batch PID on synthetic all-S and all-U1 data: the matching component dominates', async () => {
  await selectBackend('wasm');
  for (const type of ['S', 'U1'] as const) {
    const v = (await pidOf(type, ['batch'])).batch!.values;
    for (const k of ['R', 'U1', 'U2', 'S'] as const) {
      if (k === type) assert.ok(v[k] >= 1.5, `batch all-${type}: ${k} = ${v[k].toFixed(3)} >= 1.5`);
      else assert.ok(v[k] <= 0.2, `batch all-${type}: ${k} = ${v[k].toFixed(3)} <= 0.2`);
    }
  }
});
