// DMIL's math against closed forms: stop-gradient, KL to N(0, I), the MI penalties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { klToStandardNormal, normaliseRows, stopGradient, fuse } from '../src/models/ops';
import { clubEstimate, crossCovariancePenalty } from '../src/models/mutualInformation';
import { Rng } from '../src/rng';

test('stopGradient passes the value and blocks the gradient', async () => {
  await selectBackend('wasm');
  const x = tf.tensor1d([1, -2, 3]);
  assert.deepEqual(Array.from(stopGradient(x).dataSync()), [1, -2, 3]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(v), v), stopGradient(tf.square(v)))))(x);
  // d/dv [sg(v) * v + sg(v^2)] = sg(v)
  assert.deepEqual(Array.from(g.dataSync()), [1, -2, 3]);
});

test('KL(N(mu, sigma^2) || N(0, 1)) matches 0.5 (sigma^2 + mu^2 - 1 - log sigma^2), summed over dims, mean over rows', async () => {
  await selectBackend('wasm');
  const mean = tf.tensor2d([[0, 1], [2, -1]]);
  const logVar = tf.tensor2d([[0, Math.log(4)], [Math.log(0.25), 0]]);
  const kl = (m: number, v: number) => 0.5 * (v + m * m - 1 - Math.log(v));
  const expected = ((kl(0, 1) + kl(1, 4)) + (kl(2, 0.25) + kl(-1, 1))) / 2;
  assert.ok(Math.abs(klToStandardNormal({ mean: mean as tf.Tensor2D, logVar: logVar as tf.Tensor2D }).dataSync()[0] - expected) < 1e-5);
  assert.equal(klToStandardNormal({ mean: tf.zeros([3, 4]) as tf.Tensor2D, logVar: tf.zeros([3, 4]) as tf.Tensor2D }).dataSync()[0], 0);
});

test('normaliseRows: unit rows, and a finite gradient at an all-zero row', async () => {
  await selectBackend('wasm');
  const x = tf.tensor2d([[3, 4], [0, 0]]);
  assert.deepEqual(Array.from(normaliseRows(x).dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0.6, 0.8, 0, 0]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(normaliseRows(v as tf.Tensor2D)))(x);
  assert.ok(Array.from(g.dataSync()).every(Number.isFinite));
});

test('fuse(a, b) = [a, b, a*b, |a-b|]', async () => {
  await selectBackend('wasm');
  const out = fuse(tf.tensor2d([[1, -2]]), tf.tensor2d([[3, 4]]));
  assert.deepEqual(Array.from(out.dataSync()), [1, -2, 3, 4, 3, -8, 2, 6]);
});

function samples(n: number, dependence: number, seed: number): { u: tf.Tensor2D; r: tf.Tensor2D } {
  const rng = new Rng(seed);
  const u = rng.normalArray(n * 3);
  const r = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    r[i * 2] = dependence * u[i * 3] + rng.normal();
    r[i * 2 + 1] = dependence * (u[i * 3 + 1] - u[i * 3 + 2]) + rng.normal();
  }
  return { u: tf.tensor2d(u, [n, 3]), r: tf.tensor2d(r, [n, 2]) };
}

test('the CLUB penalty has gradients with respect to a broadcast mean (tfjs SquaredDifference bug avoided)', async () => {
  await selectBackend('wasm');
  const { u, r } = samples(16, 1, 4);
  const g = tf.grads((mu: tf.Tensor, rr: tf.Tensor) => clubEstimate(mu as tf.Tensor2D, tf.zeros([16, 2]) as tf.Tensor2D, rr as tf.Tensor2D))([tf.slice(u, [0, 0], [16, 2]), r]);
  assert.deepEqual(g.map((x) => x.shape), [[16, 2], [16, 2]]);
});

test('cross-covariance penalty: near zero for independent inputs, clearly positive for dependent ones', async () => {
  await selectBackend('wasm');
  const indep = samples(4000, 0, 1);
  const dep = samples(4000, 1, 2);
  const a = crossCovariancePenalty(indep.u, indep.r).dataSync()[0];
  const b = crossCovariancePenalty(dep.u, dep.r).dataSync()[0];
  // Dependent: Cov = [[1,0,0],[0,1,-1]] -> squared Frobenius norm 3. Independent: O(6/n) sampling noise.
  assert.ok(a < 0.01, `independent: ${a}`);
  assert.ok(Math.abs(b - 3) < 0.3, `dependent: ${b}`);
});

test('CLUB estimate with the true conditional: near zero when independent, near the true MI when dependent', async () => {
  await selectBackend('wasm');
  // r = a * u + e with u, e ~ N(0, 1): q(r|u) = N(a u, 1); I(u; r) = 0.5 log(1 + a^2), and CLUB's
  // bound is 0.5 (E_ij[(r_j - a u_i)^2] - E_i[(r_i - a u_i)^2]) = 0.5 ((2 a^2 + 1) - 1) = a^2.
  const rng = new Rng(3);
  const n = 4000;
  for (const a of [0, 1.5]) {
    const u = rng.normalArray(n);
    const r = Float32Array.from(u, (x) => a * x + rng.normal());
    const mu = tf.tensor2d(Float32Array.from(u, (x) => a * x), [n, 1]);
    const est = clubEstimate(mu, tf.zeros([n, 1]) as tf.Tensor2D, tf.tensor2d(r, [n, 1])).dataSync()[0];
    assert.ok(Math.abs(est - a * a) < 0.1, `a=${a}: CLUB ${est}, expected ${a * a}`);
    if (a > 0) assert.ok(est >= 0.5 * Math.log(1 + a * a), 'CLUB is an upper bound on the true MI');
  }
});
