// Data that would train to a number worth nothing is refused: evaluation splits below
// MIN_EVAL_SAMPLES, fewer than two training samples per class, labels that are measurements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_EVAL_SAMPLES, requireClassLabels, splitProblem } from '../src/experiment/data';

test('splitProblem: empty or tiny validation and test splits, and too few training samples per class', () => {
  assert.equal(splitProblem({ train: 100, val: 20, test: 20 }, 3), null);
  assert.equal(splitProblem({ train: 100, val: MIN_EVAL_SAMPLES, test: MIN_EVAL_SAMPLES }, 3), null, 'the minimum itself is enough');
  assert.match(splitProblem({ train: 100, val: 0, test: 20 }, 3)!, /^the validation split is empty$/);
  assert.match(splitProblem({ train: 100, val: 20, test: 0 }, 3)!, /^the test split is empty$/);
  assert.match(splitProblem({ train: 100, val: 20, test: 2 }, 3)!, /^the test split has 2 samples; an accuracy on fewer than 10 says little \(each sample moves it by 0\.50\)$/);
  assert.match(splitProblem({ train: 19, val: 20, test: 20 }, 10)!, /^10 classes for 19 training samples: fewer than 2 per class$/);
});

test('requireClassLabels: integers and names are classes; numbers with fractions are a regression target', () => {
  for (const ok of [['0', '1', '2'], ['cat', 'dog'], ['-1', '1'], ['1.0', '2.0'], ['0.5', 'cat']]) assert.doesNotThrow(() => requireClassLabels(ok, 'x.csv'), ok.join());
  assert.throws(() => requireClassLabels(['0.25', '0.5', '1'], 'x.csv'), /the labels are numbers with fractions \(e\.g\. 0\.25; 3 distinct values\): a regression target, not classes/);
});
