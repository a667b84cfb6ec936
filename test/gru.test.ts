// The GRU backbone against PyTorch's equations computed here by hand in float64: one cell step,
// a two-layer encoder (last state and mean over time, then the dense layer), a gradient against
// central differences, and a run that trains on sequences and keeps its tensor count flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { parseTrainConfig } from '../src/config/schema';
import { gruEncoder, gruStep } from '../src/models/gru';
import { Params } from '../src/models/params';
import { Rng } from '../src/rng';
import { lastLine, runCli, tmpDir, writeConfig, writeNpy } from './helpers';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** PyTorch's GRU step in float64: x [D], h [H], w_ih [D][3H], w_hh [H][3H], biases [3H]. */
function step(x: number[], h: number[], wi: number[][], wh: number[][], bi: number[], bh: number[]): number[] {
  const H = h.length;
  const gi = Array.from({ length: 3 * H }, (_, j) => bi[j] + x.reduce((a, v, k) => a + v * wi[k][j], 0));
  const gh = Array.from({ length: 3 * H }, (_, j) => bh[j] + h.reduce((a, v, k) => a + v * wh[k][j], 0));
  return h.map((hj, j) => {
    const r = sig(gi[j] + gh[j]);
    const z = sig(gi[H + j] + gh[H + j]);
    const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
    return (1 - z) * n + z * hj;
  });
}

const rows = (v: Float32Array | Int32Array | Uint8Array, cols: number) => Array.from({ length: v.length / cols }, (_, i) => Array.from(v.subarray(i * cols, (i + 1) * cols)));

test('one GRU step equals PyTorch\'s equations (gates r, z, n; r applied inside n)', async () => {
  await selectBackend('wasm');
  const rng = new Rng(4);
  const [D, H] = [3, 2];
  const x = Array.from({ length: D }, () => rng.normal());
  const h = Array.from({ length: H }, () => rng.normal() * 0.5);
  const wi = Array.from({ length: D }, () => Array.from({ length: 3 * H }, () => rng.normal()));
  const wh = Array.from({ length: H }, () => Array.from({ length: 3 * H }, () => rng.normal()));
  const bi = Array.from({ length: 3 * H }, () => rng.normal());
  const bh = Array.from({ length: 3 * H }, () => rng.normal());
  const got = tf.tidy(() => {
    const gi = tf.add(tf.matMul(tf.tensor2d([x]), tf.tensor2d(wi)), tf.tensor1d(bi)) as tf.Tensor2D;
    return Array.from(gruStep(gi, tf.tensor2d([h]), tf.tensor2d(wh), tf.tensor1d(bh), H).dataSync());
  });
  step(x, h, wi, wh, bi, bh).forEach((v, j) => assert.ok(Math.abs(got[j] - v) < 1e-5, `h'[${j}] ${got[j]} vs ${v}`));
});

for (const pool of ['last', 'mean'] as const) {
  test(`a two-layer GRU encoder (pool ${pool}) equals the same network unrolled by hand`, async () => {
    await selectBackend('wasm');
    const [B, T, D, H, out] = [2, 4, 3, 5, 2];
    const cfg = { type: 'gru' as const, hidden: [], channels: [1], kernel: 1, units: H, layers: 2, pool, out, activation: 'tanh' as const };
    const params = new Params('torch');
    const enc = gruEncoder(params, 'm', T, D, cfg, new Rng(9));
    const p = Object.fromEntries(params.entries().map(([n, v]) => [n, v.dataSync().slice()]));
    const xs = Float32Array.from({ length: B * T * D }, (_, i) => Math.sin(i * 0.7));
    const got = tf.tidy(() => Array.from(enc.forward(tf.tensor2d(xs, [B, T * D])).dataSync()));
    for (let b = 0; b < B; b++) {
      let seq = Array.from({ length: T }, (_, t) => Array.from(xs.subarray((b * T + t) * D, (b * T + t + 1) * D)));
      for (let l = 0; l < 2; l++) {
        const inDim = l === 0 ? D : H;
        let h = new Array<number>(H).fill(0);
        seq = seq.map((x) => (h = step(x, h, rows(p[`m.gru${l}.w_ih`], 3 * H).slice(0, inDim), rows(p[`m.gru${l}.w_hh`], 3 * H), Array.from(p[`m.gru${l}.b_ih`]), Array.from(p[`m.gru${l}.b_hh`]))));
      }
      const pooled = pool === 'last' ? seq[T - 1] : seq[0].map((_, j) => seq.reduce((a, s) => a + s[j], 0) / T);
      const w = rows(p['m.dense.w'], out);
      const z = Array.from({ length: out }, (_, j) => Math.tanh(p['m.dense.b'][j] + pooled.reduce((a, v, k) => a + v * w[k][j], 0)));
      z.forEach((v, j) => assert.ok(Math.abs(got[b * out + j] - v) < 1e-5, `sample ${b}, z[${j}]: ${got[b * out + j]} vs ${v}`));
    }
    params.dispose();
  });
}

test('the gradient through the recurrence matches central differences', async () => {
  await selectBackend('cpu');
  const [T, D, H] = [5, 2, 3];
  const cfg = { type: 'gru' as const, hidden: [], channels: [1], kernel: 1, units: H, layers: 1, pool: 'last' as const, out: 2, activation: 'tanh' as const };
  const params = new Params('torch');
  const enc = gruEncoder(params, 'm', T, D, cfg, new Rng(3));
  const x = tf.tensor2d(Float32Array.from({ length: 2 * T * D }, (_, i) => Math.cos(i)), [2, T * D]);
  const loss = () => tf.sum(enc.forward(x)) as tf.Scalar;
  const w = params.entries().find(([n]) => n === 'm.gru0.w_hh')![1];
  const { grads } = tf.variableGrads(loss, [w]);
  const g = grads[w.name].dataSync()[4];
  const base = w.dataSync().slice();
  const at = (delta: number) => {
    const v = base.slice();
    v[4] += delta;
    w.assign(tf.tensor(v, w.shape));
    return loss().dataSync()[0];
  };
  const eps = 1e-2;
  const numeric = (at(eps) - at(-eps)) / (2 * eps);
  assert.ok(Math.abs(g - numeric) < 2e-3 * Math.max(1, Math.abs(numeric)), `analytic ${g} vs numeric ${numeric}`);
  tf.dispose(Object.values(grads));
  params.dispose();
  x.dispose();
  await selectBackend('wasm');
});

test('a joint model with GRU backbones trains on sequences: the training loss falls', () => {
  const dir = tmpDir('gru-train');
  const [n, T, D] = [400, 6, 2];
  const rng = new Rng(2);
  const a = Float32Array.from({ length: n * T * D }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (a.subarray(i * T * D, (i + 1) * T * D).reduce((s, v, k) => s + (k % D === 0 ? v : 0), 0) > 0 ? 1 : 0));
  writeNpy(path.join(dir, 'a.npy'), a, [n, T, D]);
  writeNpy(path.join(dir, 'b.npy'), Float32Array.from({ length: n * 3 }, () => rng.normal()), [n, 3]);
  writeNpy(path.join(dir, 'y.npy'), y, [n]);
  const cfg = writeConfig(dir, {
    name: 'gru', seed: 1,
    data: { source: 'npy', labels: 'y.npy', modalities: [{ name: 'a', path: 'a.npy' }, { name: 'b', path: 'b.npy' }] },
    model: { paradigm: 'joint', backbone: { hidden: [8], out: 8 }, backbones: { a: { type: 'gru', units: 16, out: 8 } } },
    train: { ...parseTrainConfig({}), epochs: 8, batch_size: 32, early_stop: { patience: 0 }, optimizer: { ...parseTrainConfig({}).optimizer, lr: 0.01 } },
  });
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', cfg, '--runs-dir', runs, '-q']);
  assert.equal(r.status, 0, r.stderr);
  const lines = fs.readFileSync(path.join(runs, lastLine(r.stdout), 'metrics.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const train = lines.slice(1).map((l) => l.split(',')).filter((c) => c[header.indexOf('split')] === 'train');
  const loss = (row: string[]) => Number(row[header.indexOf('loss')]);
  assert.ok(loss(train[train.length - 1]) < 0.8 * loss(train[0]), `training loss ${loss(train[0])} -> ${loss(train[train.length - 1])}`);
  assert.ok(fs.readFileSync(path.join(runs, lastLine(r.stdout), 'config.yaml'), 'utf8').includes('type: gru'));
});
