// Every wasm kernel override against the cpu backend: forward values and gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { installWasmKernels } from '../src/backend/wasmKernels';
import { Rng } from '../src/rng';

type Case = { name: string; shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor };

const cases: Case[] = [];
for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
  cases.push({
    name: `matMul 2-D transposeA=${ta} transposeB=${tb}`,
    shapes: [ta ? [7, 5] : [5, 7], tb ? [3, 7] : [7, 3]],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb),
  });
  cases.push({
    name: `matMul 3-D batched transposeA=${ta} transposeB=${tb}`,
    shapes: [ta ? [2, 6, 4] : [2, 4, 6], tb ? [2, 5, 6] : [2, 6, 5]],
    f: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb),
  });
}
for (const [stride, pad, k] of [[1, 'valid', 3], [1, 'same', 3], [2, 'same', 3], [2, 'valid', 2], [2, 'same', 5], [3, 'valid', 3], [3, 'same', 2], [1, 'same', 4]] as const) {
  cases.push({
    name: `conv2d stride=${stride} pad=${pad} kernel=${k}`,
    shapes: [[2, 9, 8, 3], [k, k, 3, 4]],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
  });
}
cases.push({
  name: 'split of a vector into uneven parts (flat optimiser update)',
  shapes: [[23]],
  f: (x) => tf.concat(tf.split(x, [5, 1, 9, 8]).map((p, i) => tf.mul(p, i + 1))),
});
cases.push({
  name: 'split and slice along inner axes (concat gradients, non-contiguous slices)',
  shapes: [[4, 6, 5]],
  f: (x) => tf.concat([...tf.split(x, [2, 4], 1).map((p) => tf.reshape(p, [-1])), tf.reshape(tf.slice(x, [1, 2, 1], [2, 3, 3]), [-1])]),
});
cases.push({
  name: 'conv2d stride 2 with a 1x1 kernel (stock wasm returns zeros: tfjs#8405)',
  shapes: [[2, 7, 6, 3], [1, 1, 3, 2]],
  f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'),
});
cases.push({
  name: 'conv1d stride=2 pad=same kernel=3 (through conv2d)',
  shapes: [[2, 11, 3], [3, 3, 5]],
  f: (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same'),
});
cases.push({
  name: 'conv2d with non-square strides [1, 2] on a 14x28 input',
  shapes: [[2, 14, 28, 1], [3, 3, 1, 4]],
  f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [1, 2], 'same'),
});

for (const [axes, keep, shape] of [[[0, 1, 2], false, [3, 4, 5, 6]], [[0], false, [9, 7]], [[1, 0], true, [4, 3, 5]], [[0, 1], false, [2, 3, 1]]] as const) {
  cases.push({
    name: `sum over leading axes ${JSON.stringify(axes)} of [${shape.join(', ')}]${keep ? ' keepDims' : ''} (bias gradients)`,
    shapes: [[...shape]],
    f: (x) => tf.sum(x, [...axes], keep),
  });
}
cases.push({
  name: 'sum over inner and all axes (the stock kernel)',
  shapes: [[3, 4, 5]],
  f: (x) => tf.concat([tf.reshape(tf.sum(x, [1, 2]), [-1]), tf.reshape(tf.sum(x), [-1]), tf.reshape(tf.sum(x, [0, 2]), [-1])]),
});

async function run(backend: 'cpu' | 'wasm', c: Case, inputs: Float32Array[]) {
  await selectBackend(backend);
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(inputs[i], s));
    const y = c.f(...xs);
    // A fixed random upstream gradient makes every output element matter.
    const dy = tf.tensor(new Rng(99).normalArray(y.size), y.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.f(...args), dy)))(xs);
    return { y: y.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-4 * Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: wasm ${actual[i]} vs cpu ${expected[i]}`);
  }
}

for (const c of cases) {
  test(`wasm override matches cpu: ${c.name}`, async () => {
    const rng = new Rng(c.name.length);
    const inputs = c.shapes.map((s) => rng.normalArray(s.reduce((a, b) => a * b, 1)));
    const cpu = await run('cpu', c, inputs);
    const wasm = await run('wasm', c, inputs);
    assertClose(wasm.y, cpu.y, 'output');
    cpu.grads.forEach((g, i) => assertClose(wasm.grads[i], g, `gradient of input ${i}`));
  });
}

test('wasm overrides leak nothing: the backend\'s data ids and bytes are back where they were after every case', async () => {
  await selectBackend('wasm');
  const backend = tf.engine().backend as unknown as { numDataIds(): number };
  const rng = new Rng(5);
  for (const c of cases) {
    const inputs = c.shapes.map((sh) => rng.normalArray(sh.reduce((a, b) => a * b, 1)));
    const once = () => tf.tidy(() => {
      const xs = c.shapes.map((sh, i) => tf.tensor(inputs[i], sh));
      const dy = tf.onesLike(c.f(...xs));
      const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.f(...args), dy)))(xs);
      grads.forEach((g) => g.dataSync());
    });
    once(); // first use may allocate lasting state (kernel caches)
    const before = { ids: backend.numDataIds(), bytes: tf.memory().numBytes, tensors: tf.memory().numTensors };
    once();
    const after = { ids: backend.numDataIds(), bytes: tf.memory().numBytes, tensors: tf.memory().numTensors };
    assert.deepEqual(after, before, `${c.name}: backend memory before and after`);
  }
});

test('the wasm Sum override adds in the stock kernel\'s order: the same bits as stock wasm (transpose, then sum)', async () => {
  await selectBackend('wasm');
  const rng = new Rng(11);
  const x = tf.tensor(rng.normalArray(64 * 7 * 9 * 13).map((v, i) => v * 10 ** ((i % 7) - 3)), [64, 7, 9, 13]);
  const ours = [tf.sum(x, [0, 1, 2]), tf.sum(x, [0, 1])].map((t) => t.dataSync() as Float32Array);
  const restore = installWasmKernels();
  restore();
  try {
    const stock = [tf.sum(x, [0, 1, 2]), tf.sum(x, [0, 1])].map((t) => t.dataSync() as Float32Array);
    ours.forEach((o, k) => assert.deepEqual(Array.from(o), Array.from(stock[k]), `sum ${k}: override against stock`));
  } finally {
    installWasmKernels();
  }
});

test('the wasm Identity override shares data safely: a clone outlives its original, and the bytes go when both are gone', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numBytes;
  const x = tf.tensor([1.5, -2, 3.25, 4], [2, 2]);
  const y = tf.clone(x);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1.5, -2, 3.25, 4]);
  const z = tf.add(y, 1);
  assert.deepEqual(Array.from(z.dataSync()), [2.5, -1, 4.25, 5]);
  y.dispose();
  z.dispose();
  assert.equal(tf.memory().numBytes, before);
});
