// Per-sample scores from the prediction record: evidence in nats against the training label
// prior (not a uniform one), each part's probability and prediction, and the gate columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { evidence, interactionScores, scoreColumns, toCsv, toJsonl } from '../src/analysis/interactionScores';
import { predictionRows } from '../src/analysis/predictionRows';
import { selectBackend } from '../src/backend/select';
import type { Dataset } from '../src/data/dataset';
import { classPrior } from '../src/experiment/data';
import { predictSamples, type Predictions } from '../src/experiment/predict';
import type { ParadigmModel } from '../src/paradigms/paradigm';
import { Params } from '../src/models/params';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);

const record: Predictions = {
  indices: Int32Array.from([0, 1]), ids: ['s0', 's1'], labels: Int32Array.from([0, 1]), types: ['R', 'S'],
  classNames: ['cat', 'dog'], classes: 2, prior: [0.7, 0.3],
  probs: Float32Array.from([0.9, 0.1, 0.4, 0.6]),
  unimodal: { a: Float32Array.from([0.8, 0.2, 0.5, 0.5]) },
  components: { R: Float32Array.from([0.7, 0.3, 0.3, 0.7]), S: Float32Array.from([0.2, 0.8, 0.1, 0.9]) },
  gate: Float32Array.from([0.75, 0.25, 0.1, 0.9]),
};

test('evidence is log p(y|x) - log p_train(y), with the training prior of the true class', () => {
  const [r0, r1] = interactionScores(record);
  close(r0.evidence as number, Math.log(0.9) - Math.log(0.7));
  close(r1.evidence as number, Math.log(0.6) - Math.log(0.3));
  close(r0.evidence_R as number, Math.log(0.7) - Math.log(0.7));
  close(r1.evidence_S as number, Math.log(0.9) - Math.log(0.3));
  close(r0.evidence_a as number, Math.log(0.8) - Math.log(0.7));
  assert.equal(evidence(1, 0.5), Math.log(2));
});

test('every part of the record gets its p, pred and evidence columns; the gate its weights', () => {
  assert.deepEqual(scoreColumns(record), ['id', 'label', 'prediction', 'p', 'evidence', 'gate_R', 'gate_S', 'p_a', 'pred_a', 'evidence_a', 'p_R', 'pred_R', 'evidence_R', 'p_S', 'pred_S', 'evidence_S', 'type']);
  const [r0, r1] = interactionScores(record);
  assert.deepEqual([r0.prediction, r1.prediction, r0.pred_S, r1.pred_a], ['cat', 'dog', 'dog', 'cat']);
  assert.deepEqual([r0.gate_R, r1.gate_S, r0.p_S, r1.type], [0.75, Math.fround(0.9), Math.fround(0.2), 'S']);
  assert.throws(() => scoreColumns({ ...record, unimodal: { R: record.probs } }), /would both write the column p_R/);
});

test('the prior is the share of each class in the training split only', async () => {
  await selectBackend('cpu');
  // Training split: labels 0, 0, 0, 1 -> [0.75, 0.25]; the val/test samples (all class 1) do not count.
  const data: Dataset = {
    modalities: [{ name: 'a', shape: [1], values: Float32Array.from([0, 1, 2, 3, 4, 5]) }],
    labels: Int32Array.from([0, 0, 0, 1, 1, 1]), classNames: ['0', '1'], ids: ['0', '1', '2', '3', '4', '5'],
    split: Uint8Array.from([0, 0, 0, 0, 1, 2]),
  };
  assert.deepEqual(classPrior(data), [0.75, 0.25]);
  const model: ParadigmModel = {
    paradigm: 'test', params: new Params(), stages: [], modalities: ['a'],
    predict: (inputs) => ({ probs: tf.softmax(tf.concat([inputs[0], tf.neg(inputs[0])], 1)) as tf.Tensor2D }),
  };
  const p = await predictSamples(model, data, Int32Array.from([4, 5]), 1);
  assert.deepEqual(p.prior, [0.75, 0.25]);
  assert.deepEqual(Array.from(p.labels), [1, 1]);
  assert.deepEqual(p.ids, ['4', '5']);
});

test('scores as CSV and JSON lines, and the columns of unlabelled data (predictions and gate weights only, with the user\'s group)', () => {
  const rows = interactionScores({ ...record, groups: ['ann', 'bob'] });
  const cols = scoreColumns({ ...record, groups: ['ann', 'bob'] });
  assert.deepEqual(cols.slice(-2), ['type', 'group']);
  assert.equal(toCsv(['id', 'label', 'gate_S', 'group', 'absent'], rows), 'id,label,gate_S,group,absent\ns0,cat,0.25,ann,\ns1,dog,0.8999999761581421,bob,\n');
  assert.equal(toJsonl([{ id: 's0', p: 0.5 }, { id: 's1', p: 1 }]), '{"id":"s0","p":0.5}\n{"id":"s1","p":1}\n');
  assert.equal(toJsonl([]), '');
  const unlabelled = { ...record, labels: Int32Array.from([-1, -1]), unlabelled: true, types: undefined, groups: ['ann', 'bob'] };
  assert.deepEqual(scoreColumns(unlabelled), ['id', 'prediction', 'gate_R', 'gate_S', 'pred_a', 'pred_R', 'pred_S', 'group']);
  assert.deepEqual(interactionScores(unlabelled)[1], { id: 's1', prediction: 'dog', gate_R: record.gate![2], gate_S: record.gate![3], pred_a: 'cat', pred_R: 'dog', pred_S: 'dog', group: 'bob' });
  assert.throws(() => scoreColumns({ ...record, unimodal: { R: record.probs } }), /two parts of the prediction would both write the column p_R/);
});

test('the prediction CSV (dmil predict): id, label where known, the predicted class, every class\'s probability, the gate weights and the group', () => {
  assert.equal(predictionRows({ ...record, groups: ['ann', 'bob'] }),
    'id,label,prediction,p_cat,p_dog,gate_R,gate_S,group\n'
    + `s0,cat,cat,${record.probs[0]},${record.probs[1]},${record.gate![0]},${record.gate![1]},ann\n`
    + `s1,dog,dog,${record.probs[2]},${record.probs[3]},${record.gate![2]},${record.gate![3]},bob\n`);
  const { gate: _gate, ...noGate } = record;
  assert.equal(predictionRows({ ...noGate, labels: Int32Array.from([-1, -1]), unlabelled: true }),
    `id,prediction,p_cat,p_dog\ns0,cat,${record.probs[0]},${record.probs[1]}\ns1,dog,${record.probs[2]},${record.probs[3]}\n`);
});

test('each row carries p(y|x) of the final prediction and of each part for the sample\'s own label; without a gate, no gate columns', () => {
  const [r0, r1] = interactionScores(record);
  assert.deepEqual([r0.p, r1.p], [record.probs[0], record.probs[3]]);
  assert.deepEqual([r0.p_a, r1.p_a, r1.p_S], [record.unimodal!.a[0], record.unimodal!.a[3], record.components!.S[3]]);
  const { gate: _gate, ...noGate } = record;
  assert.ok(!scoreColumns(noGate).some((c) => c.startsWith('gate_')));
  assert.ok(!Object.keys(interactionScores(noGate)[0]).some((c) => c.startsWith('gate_')));
  assert.throws(() => scoreColumns({ ...record, unimodal: { R: record.probs } }), (e: Error & { hint?: string }) => /rename the modality/.test(e.hint ?? ''));
});
