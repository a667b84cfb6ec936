// DMIL's parts one at a time, against numbers computed by hand: every loss term, the mixture,
// the adversary variants, the gate's inputs, and which representation each head reads. Each
// (ours) switch is checked by the difference it makes, and each stop-gradient by the gradient
// it must zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import type { DmilConfig, ModelOf } from '../src/config/schema';
import { crossEntropy, nllOfProbs, perSampleCrossEntropy } from '../src/models/losses';
import { Params } from '../src/models/params';
import { adversaryLoss, adversaryTerms, crossTerms, gateTerms, intraTerms, mixture, weightedL1, weightedL2 } from '../src/paradigms/dmil/losses';
import { buildNetwork, type CrossOut, type IntraOut } from '../src/paradigms/dmil/network';
import { tinyConfig } from './helpers';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const val = (t: tf.Tensor) => t.dataSync()[0];
const rows = (t: tf.Tensor) => t.arraySync() as number[][];
const labels = (xs: number[]) => tf.tensor1d(xs, 'int32');
const t2 = (xs: number[][]) => tf.tensor2d(xs);
const gaussian = (mean: number[][], logVar?: number[][]) => ({ mean: t2(mean), logVar: t2(logVar ?? mean.map((r) => r.map(() => 0))) });

function dmilModel(sets: string[] = []): ModelOf<'dmil'> {
  const { config } = configFromObject(tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [6], out: 5 }, dmil: { latent: 3 } } }), sets);
  if (config.model.paradigm !== 'dmil') throw new Error('dmil');
  return config.model;
}

const spec = { inputDims: [4, 3], inputShapes: [[4], [3]], modalityNames: ['a', 'b'], classes: 2 };

function network(sets: string[] = []) {
  const model = dmilModel(sets);
  const params = new Params(model.init);
  return { net: buildNetwork(params, model, model.dmil, spec, 7), params, dmil: model.dmil };
}

test('cross-entropy and the NLL of probabilities against hand values', async () => {
  await selectBackend('cpu');
  // softmax([0, ln 3]) = [1/4, 3/4]
  close(val(crossEntropy(t2([[0, Math.log(3)]]), labels([1]))), -Math.log(0.75));
  assert.deepEqual(rows(perSampleCrossEntropy(t2([[0, 0], [Math.log(3), 0]]), labels([0, 1])).reshape([1, 2]))[0].map((v) => Math.round(v * 1e5) / 1e5), [0.69315, 1.38629]);
  close(val(nllOfProbs(t2([[0.2, 0.8], [0.5, 0.5]]), labels([0, 1]))), -(Math.log(0.2) + Math.log(0.5)) / 2);
});

test('the mixture is sum_c g_c p_c, row by row', async () => {
  await selectBackend('cpu');
  const g = { gate: t2([[0.5, 0.25, 0.25, 0], [0, 0, 0, 1]]), probs: [t2([[0.2, 0.8], [1, 0]]), t2([[1, 0], [1, 0]]), t2([[0.6, 0.4], [1, 0]]), t2([[0.5, 0.5], [0.3, 0.7]])] };
  const m = rows(mixture(g));
  assert.deepEqual(m.map((r) => r.map((v) => Math.round(v * 1e6) / 1e6)), [[0.5, 0.5], [0.3, 0.7]]);
});

test('gate terms: mixture NLL, load balancing sum_c gbar_c log gbar_c (weighted, lower when balanced), gate entropy', async () => {
  await selectBackend('cpu');
  const dmil = dmilModel(['model.dmil.weights.lb=0.3', 'model.dmil.weights.gate_entropy=0.5']).dmil;
  const probs = [t2([[0.2, 0.8], [0.6, 0.4]]), t2([[0.5, 0.5], [0.5, 0.5]]), t2([[0.5, 0.5], [0.5, 0.5]]), t2([[0.5, 0.5], [0.5, 0.5]])];
  const oneHot = gateTerms({ gate: t2([[1, 0, 0, 0], [0, 1, 0, 0]]), probs }, labels([1, 0]), dmil, false);
  // mixture: sample 1 takes R (p(y=1) = 0.8), sample 2 takes U1 (p(y=0) = 0.5)
  close(val(oneHot.mix), -(Math.log(0.8) + Math.log(0.5)) / 2);
  // gbar = [0.5, 0.5, 0, 0]: sum gbar log gbar = -ln 2
  close(val(oneHot.lb), 0.3 * -Math.log(2), 1e-6);
  close(val(oneHot.gate_entropy), 0, 1e-6);
  const uniform = gateTerms({ gate: t2([[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]), probs }, labels([1, 0]), dmil, false);
  close(val(uniform.lb), 0.3 * Math.log(0.25), 1e-6);
  assert.ok(val(uniform.lb) < val(oneHot.lb), 'minimising lb balances the average gate');
  close(val(uniform.gate_entropy), 0.5 * Math.log(4), 1e-6);
});

test('adversary losses against hand values: grl = -CE, clipped = -mean min(CE_i, log C), prior = CE to the label prior', async () => {
  await selectBackend('cpu');
  const logits = t2([[0, 0], [Math.log(3), 0]]);
  const y = labels([0, 1]);
  const prior = tf.tensor1d([0.7, 0.3]);
  // CE per sample: ln 2 and ln 4
  close(val(adversaryLoss('grl', logits, y, prior)), -(Math.log(2) + Math.log(4)) / 2);
  close(val(adversaryLoss('clipped', logits, y, prior)), -Math.log(2));
  close(val(adversaryLoss('prior', logits, y, prior)), (Math.log(2) + -(0.7 * Math.log(0.75) + 0.3 * Math.log(0.25))) / 2);
  // clipped: a sample already past chance pushes no further (zero gradient), the other still does.
  const g = tf.grad((l: tf.Tensor) => adversaryLoss('clipped', l as tf.Tensor2D, y, prior))(t2([[2, 0], [Math.log(3), 0]]));
  const [first, second] = rows(g);
  assert.ok(Math.abs(first[0]) > 0.01, 'below chance: still pushed');
  assert.deepEqual(second, [0, 0], 'beyond chance: no gradient');
});

function intraOf(z: tf.Tensor2D[], M: number[][][], N: number[][][], zHat: tf.Tensor2D[], logitsM: number[][][]): IntraOut {
  return {
    z,
    M: M.map((m) => ({ dist: gaussian(m), value: t2(m) })),
    N: N.map((n) => ({ dist: gaussian(n), value: t2(n) })),
    zHat,
    logitsM: logitsM.map(t2),
  };
}

test('level-1 terms against hand values; the reconstruction target is sg(z) (no gradient reaches z through it)', async () => {
  await selectBackend('cpu');
  const z = tf.variable(t2([[1, 2]]));
  const zHat = tf.variable(t2([[0, 0]]));
  const build = () => intraOf([z as unknown as tf.Tensor2D, t2([[0, 0]])], [[[0, 0]], [[0, 0]]], [[[1, 1]], [[0, 0]]], [zHat as unknown as tf.Tensor2D, t2([[0, 0]])], [[[0, Math.log(3)]], [[0, 0]]]);
  const t = intraTerms(build(), labels([1]));
  close(val(t.rec_1), 2.5); // mean((0 - 1)^2, (0 - 2)^2)
  close(val(t.kl_1), 1); // M: 0; N with mean 1, log-variance 0: 0.5 * 1 per dimension, 2 dimensions
  close(val(t.ce_M1), -Math.log(0.75));
  close(val(t.ce_M2), Math.log(2));
  const w = { ...dmilModel().dmil.weights, rec: 2, kl: 0.5 };
  close(val(weightedL1(t, w, 2)), -Math.log(0.75) + 2 * 2.5 + 0.5 * 1 + Math.log(2));
  const { grads } = tf.variableGrads(() => intraTerms(build(), labels([1])).rec_1, [z, zHat]);
  assert.deepEqual(Array.from(grads[z.name].dataSync()), [0, 0], 'no gradient to z through the target');
  assert.deepEqual(Array.from(grads[zHat.name].dataSync()), [-1, -2], 'd/dzHat mean((zHat - z)^2) = (zHat - z)');
  z.dispose();
  zHat.dispose();
});

function crossOf(logits: Record<'R' | 'U1' | 'U2' | 'S', number[][]>, r: number[][][]): CrossOut {
  return {
    P: r.map(t2), r: r.map(t2), R: t2(r[0]),
    U: [{ dist: gaussian([[0, 0]]), value: t2([[0, 0]]) }, { dist: gaussian([[2, 0]]), value: t2([[2, 0]]) }],
    logits: { R: t2(logits.R), U1: t2(logits.U1), U2: t2(logits.U2), S: t2(logits.S) },
  };
}

test('level-2 terms against hand values; s_loss residual trains S on l_S + sg(l_M1) + sg(l_M2), ce on l_S alone', async () => {
  await selectBackend('cpu');
  const { net } = network();
  const intra = intraOf([t2([[0, 0]]), t2([[0, 0]])], [[[0, 0]], [[0, 0]]], [[[0, 0]], [[0, 0]]], [t2([[0, 0]]), t2([[0, 0]])], [[[Math.log(3), 0]], [[0, 0]]]);
  const cross = crossOf({ R: [[0, Math.log(3)]], U1: [[0, 0]], U2: [[Math.log(3), 0]], S: [[0, 0]] }, [[[1, 0]], [[0, 1]]]);
  const y = labels([1]);
  const residual = crossTerms(net, dmilModel(['model.dmil.s_loss=residual']).dmil, intra, cross, y);
  const plain = crossTerms(net, dmilModel(['model.dmil.s_loss=ce']).dmil, intra, cross, y);
  close(val(residual.ce_R), -Math.log(0.75));
  close(val(residual.ce_U1), Math.log(2));
  close(val(residual.ce_U2), Math.log(4));
  // residual: l_S + l_M1 + l_M2 = [ln 3, 0] -> p(y=1) = 1/4; plain: l_S = [0, 0] -> 1/2
  close(val(residual.ce_S), Math.log(4));
  close(val(plain.ce_S), Math.log(2));
  close(val(residual.align), 2); // ||[1, 0] - [0, 1]||^2
  close(val(residual.kl_U), 2); // U_1: 0; U_2 with mean [2, 0]: 0.5 * 4
  const dmil = dmilModel(['model.dmil.weights.alpha=0.5', 'model.dmil.weights.kl_u=0.1']).dmil;
  close(val(weightedL2(residual, dmil)), -Math.log(0.75) + Math.log(2) + Math.log(4) + Math.log(4) + 0.5 * 2 + 0.1 * 2);
  assert.equal(residual.mi, undefined, 'mi: off adds no term');
});

test('the MI switch: xcov and club add a weighted mi term to L2; off adds none', async () => {
  await selectBackend('cpu');
  for (const kind of ['xcov', 'club'] as const) {
    const { net, dmil } = network([`model.dmil.mi=${kind}`, 'model.dmil.weights.mi=0.25']);
    const intra = net.intra([tf.randomNormal([8, 4], 0, 1, 'float32', 1) as tf.Tensor2D, tf.randomNormal([8, 3], 0, 1, 'float32', 2) as tf.Tensor2D], null);
    const t = crossTerms(net, dmil, intra, net.cross(intra, null), labels([0, 1, 0, 1, 0, 1, 0, 1]));
    assert.ok(t.mi !== undefined, kind);
    const withoutMi = { ...t };
    delete withoutMi.mi;
    close(val(weightedL2(t, dmil)) - val(weightedL2(withoutMi, dmil)), 0.25 * val(t.mi));
  }
});

/** The network's own parameters, to recompute a head by hand. */
const linear = (params: Params, name: string, x: tf.Tensor2D) => tf.add(tf.matMul(x, params.get(`${name}.w`)), params.get(`${name}.b`)) as tf.Tensor2D;
const sameRows = (a: tf.Tensor, b: tf.Tensor, tol = 1e-5) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < tol, `${a.toString()} vs ${b.toString()}`);
const differ = (a: tf.Tensor, b: tf.Tensor) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] > 1e-4, 'expected a difference');

test('each head reads its own representation: M heads read M_m; U1 reads M_1 and U2 reads M_2; S reads only the N\'s', async () => {
  await selectBackend('cpu');
  const { net, params } = network();
  const inputs = [tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D, tf.randomNormal([6, 3], 0, 1, 'float32', 4) as tf.Tensor2D];
  const intra = net.intra(inputs, null);
  sameRows(intra.logitsM[0], linear(params, 'id.a.head', intra.M[0].value));
  sameRows(intra.logitsM[1], linear(params, 'id.b.head', intra.M[1].value));
  sameRows(intra.M[0].value, linear(params, 'id.a.M.mean', intra.z[0]), 1e-5);
  sameRows(intra.N[1].value, linear(params, 'id.b.N.mean', intra.z[1]), 1e-5);
  const base = net.cross(intra, null);
  const shift = (x: tf.Tensor2D) => tf.add(x, tf.randomNormal(x.shape, 0, 1, 'float32', 9)) as tf.Tensor2D;
  const withM = (m: number) => net.cross({ ...intra, M: intra.M.map((s, i) => (i === m ? { ...s, value: shift(s.value) } : s)) }, null);
  const withN = net.cross({ ...intra, N: intra.N.map((s) => ({ ...s, value: shift(s.value) })) }, null);
  const m1 = withM(0);
  differ(m1.logits.U1, base.logits.U1);
  sameRows(m1.logits.U2, base.logits.U2);
  const m2 = withM(1);
  differ(m2.logits.U2, base.logits.U2);
  sameRows(m2.logits.U1, base.logits.U1);
  for (const c of [m1, m2]) sameRows(c.logits.S, base.logits.S);
  differ(withN.logits.S, base.logits.S);
  for (const c of ['R', 'U1', 'U2'] as const) sameRows(withN.logits[c], base.logits[c]);
});

test('r_head: agreement sums h_R over P_1(M_1) and P_2(M_2) (product of experts); mean applies h_R to R', async () => {
  await selectBackend('cpu');
  for (const head of ['agreement', 'mean'] as const) {
    const { net, params } = network([`model.dmil.r_head=${head}`]);
    const intra = net.intra([tf.randomNormal([5, 4], 0, 1, 'float32', 5) as tf.Tensor2D, tf.randomNormal([5, 3], 0, 1, 'float32', 6) as tf.Tensor2D], null);
    const cross = net.cross(intra, null);
    const expected = head === 'agreement'
      ? tf.add(linear(params, 'cd.R.head', cross.P[0]), linear(params, 'cd.R.head', cross.P[1]))
      : linear(params, 'cd.R.head', tf.div(tf.add(cross.r[0], cross.r[1]), 2) as tf.Tensor2D);
    sameRows(cross.logits.R, expected);
  }
});

test('the gate reads [z_1, z_2, p_R, p_U1, p_U2, p_S, p_M1, p_M2, <p_M1, p_M2>] (features+confidences) or [z_1, z_2] (features)', async () => {
  await selectBackend('cpu');
  for (const inputs of ['features+confidences', 'features'] as const) {
    const { net, params } = network([`model.dmil.gate_inputs=${inputs}`]);
    const intra = net.intra([tf.randomNormal([5, 4], 0, 1, 'float32', 7) as tf.Tensor2D, tf.randomNormal([5, 3], 0, 1, 'float32', 8) as tf.Tensor2D], null);
    const cross = net.cross(intra, null);
    const g = net.gate(intra, cross);
    const p = (['R', 'U1', 'U2', 'S'] as const).map((c) => tf.softmax(cross.logits[c]) as tf.Tensor2D);
    const pM = intra.logitsM.map((l) => tf.softmax(l) as tf.Tensor2D);
    const features = inputs === 'features' ? [...intra.z] : [...intra.z, ...p, ...pM, tf.sum(tf.mul(pM[0], pM[1]), 1, true) as tf.Tensor2D];
    const hidden = tf.relu(linear(params, 'gate.0', tf.concat(features, 1) as tf.Tensor2D)) as tf.Tensor2D;
    sameRows(g.gate, tf.softmax(linear(params, 'gate.1', hidden)));
    // The gate is per sample: different inputs give different weights.
    differ(tf.slice(g.gate, [0, 0], [1, 4]), tf.slice(g.gate, [1, 0], [1, 4]));
  }
});

test('adversary terms: the probe learns on sg(N); N is trained against the frozen probe, with the loss the switch names, weighted by w_adv', async () => {
  await selectBackend('cpu');
  const y = labels([0, 1, 1, 0, 1]);
  const prior = tf.tensor1d([0.4, 0.6]);
  for (const kind of ['grl', 'clipped', 'prior'] as const) {
    const { net, dmil } = network([`model.dmil.adversary=${kind}`, 'model.dmil.weights.adv=0.3']);
    const intra = net.intra([tf.randomNormal([5, 4], 0, 1, 'float32', 10) as tf.Tensor2D, tf.randomNormal([5, 3], 0, 1, 'float32', 11) as tf.Tensor2D], null);
    const t = adversaryTerms(net, dmil, intra, y, prior);
    const probeLogits = intra.N.map((n, m) => net.probe(m, n.value, false));
    close(val(t.probe), probeLogits.reduce((a, l) => a + val(crossEntropy(l, y)), 0));
    close(val(t.adv), 0.3 * probeLogits.reduce((a, l) => a + val(adversaryLoss(kind, l, y, prior)), 0));
  }
  const off = network(['model.dmil.adversary=off']);
  const intra = off.net.intra([tf.randomNormal([5, 4]) as tf.Tensor2D, tf.randomNormal([5, 3]) as tf.Tensor2D], null);
  assert.deepEqual(adversaryTerms(off.net, off.dmil, intra, y, prior), {});
});

test('DmilConfig switches are all covered here', () => {
  // A new (ours) switch must get a test of the difference it makes (this file).
  const covered = ['latent', 'r_head', 's_loss', 'mi', 'adversary', 'gate_inputs', 'weights', 'finetune', 'stages'];
  assert.deepEqual(Object.keys(dmilModel().dmil).sort(), covered.sort());
  const _typed: (keyof DmilConfig)[] = covered as (keyof DmilConfig)[];
  assert.ok(_typed.length);
});
