// Sweep plans: every cell a distinct, valid config; axis keys are config keys; a key given twice
// and more than MAX_CELLS cells are refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { UserError } from '../src/errors';
import { MAX_CELLS, parseAxes, planSweep, sweepSchema } from '../src/sweep/plan';
import { tinyConfig, tmpDir, writeConfig } from './helpers';

const base = writeConfig(tmpDir('plan'), tinyConfig());
const line = (why: RegExp) => (e: unknown) => e instanceof UserError && why.test(e.oneLine());
const spec = (axes: Record<string, unknown[]>, variants: Record<string, string[]> = {}) => sweepSchema.parse({ config: path.resolve(base), axes, variants });

test('parseAxes: one flag per key, known keys without spaces, each value once', () => {
  assert.deepEqual(parseAxes(['seed=1,2', 'model.paradigm=joint,dmil']), { seed: ['1', '2'], 'model.paradigm': ['joint', 'dmil'] });
  assert.deepEqual(parseAxes(['data.modalities.a.noise=0.1,0.2']), { 'data.modalities.a.noise': ['0.1', '0.2'] }, 'a modality by name');
  assert.throws(() => parseAxes(['seed=1,2', 'seed=3']), line(/axis "seed" is given twice \(list all its values in one flag: --axis seed=1,2,3\)/));
  assert.throws(() => parseAxes(['seed=1,1']), line(/axis "seed" lists 1 twice/));
  assert.throws(() => parseAxes(['sed=1,2']), line(/axis "sed": unknown key "sed" \(did you mean "seed"\?\)/));
  assert.throws(() => parseAxes(['seed']), line(/an axis is key=value1,value2/));
});

test('planSweep: cells are the cross product; two cells of one resolved config and too many cells are refused', () => {
  const plan = planSweep(spec({ seed: [1, 2], 'model.paradigm': ['joint', 'ensemble'] }));
  assert.deepEqual(plan.cells.map((c) => c.label), ['seed=1 model.paradigm=joint', 'seed=1 model.paradigm=ensemble', 'seed=2 model.paradigm=joint', 'seed=2 model.paradigm=ensemble']);
  assert.equal(planSweep(spec({ seed: [1, 2], 'model.paradigm': ['joint', 'ensemble'] })).id, plan.id, 'the same sweep has the same id');
  assert.throws(() => planSweep(spec({ seed: [1, 2] }, { a: [], b: [] })), line(/cells 0 \(seed=1 a\) and 1 \(seed=1 b\) are the same config/));
  assert.throws(() => planSweep(spec({ seed: [1, 2], 'train.epochs': [3, 4] }, { a: [], b: ['train.epochs=3'] })), /are the same config/, 'a variant that repeats an axis value');
  const many = Array.from({ length: 40 }, (_, i) => i + 1);
  assert.throws(() => planSweep(spec({ seed: many, 'train.epochs': many })), line(new RegExp(`the sweep has 1,600 cells \\(40 seed x 40 train\\.epochs\\); at most ${MAX_CELLS} are allowed`)));
});
