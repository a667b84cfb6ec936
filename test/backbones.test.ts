// Every backbone: a gradient step on a tiny batch changes its weights and reduces the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { buildEncoder } from '../src/models/backbone';
import { dense } from '../src/models/layers';
import { crossEntropy } from '../src/models/losses';
import { Params } from '../src/models/params';
import { Rng } from '../src/rng';
import { Optimizer } from '../src/train/optimizer';
import { UserError } from '../src/errors';

const backboneOf = (b: Record<string, unknown>) => configFromObject({ data: { source: 'synthetic' }, model: { backbone: b } }).config.model.backbone;

const cases = [
  { type: 'mlp', shape: [12], cfg: { type: 'mlp', hidden: [16], out: 8 } },
  { type: 'conv2d', shape: [6, 5, 2], cfg: { type: 'conv2d', channels: [4, 8], kernel: 3, out: 8 } },
  { type: 'temporal', shape: [10, 3], cfg: { type: 'temporal', channels: [4, 8], kernel: 3, out: 8 } },
];

for (const backend of ['wasm', 'cpu'] as const) {
  for (const c of cases) {
    test(`${c.type} backbone (${backend}): a gradient step changes the weights and lowers the loss`, async () => {
      await selectBackend(backend);
      const params = new Params();
      const rng = new Rng(3);
      const enc = buildEncoder(params, 'enc', c.shape, backboneOf(c.cfg), rng);
      const head = dense(params, 'head', enc.outDim, 3, rng, 'linear');
      const size = c.shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor2d(new Rng(4).normalArray(8 * size), [8, size]);
      const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
      const loss = () => crossEntropy(head(enc.forward(x)), y);
      const encNames = params.names(['enc']);
      const before = Object.fromEntries(encNames.map((n) => [n, params.get(n).dataSync().slice()]));
      const opt = new Optimizer(configFromObject({ data: { source: 'synthetic' } }).config.train.optimizer, params, params.names());
      const l0 = tf.tidy(() => loss().dataSync()[0]);
      for (let i = 0; i < 5; i++) {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(loss, params.entries().map(([, v]) => v));
          const byName = Object.fromEntries(params.entries().map(([n, v]) => [n, grads[v.name]]));
          opt.apply(byName, 0.01);
        });
      }
      const l1 = tf.tidy(() => loss().dataSync()[0]);
      assert.ok(l1 < l0, `loss ${l0} -> ${l1}`);
      for (const n of encNames) assert.notDeepEqual(params.get(n).dataSync(), before[n], `${n} did not change`);
      if (c.type !== 'mlp') assert.ok(encNames.some((n) => n.includes('conv')));
      tf.dispose([x, y]);
      opt.dispose();
      params.dispose();
    });
  }
}

test('conv backbones refuse samples of the wrong rank with a clear error', async () => {
  await selectBackend('wasm');
  assert.throws(() => buildEncoder(new Params(), 'e', [12], backboneOf({ type: 'conv2d' }), new Rng(1), 'a'), (e: unknown) => e instanceof UserError && /conv2d needs images \[H, W, C\]; modality a has samples of shape \[12\]/.test(e.message));
  assert.throws(() => buildEncoder(new Params(), 'e', [2, 3, 4], backboneOf({ type: 'temporal' }), new Rng(1), 'a'), (e: unknown) => e instanceof UserError && /temporal needs sequences/.test(e.message));
});
