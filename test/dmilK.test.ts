// DMIL on K >= 3 modalities (dmil-method.md, "More than two modalities"), against hand-computed
// values: the alignment over pairs, fuse_K, the residual synergy loss with K unimodal heads, the
// gate's width and inputs; and the two-modality network reproduced bit for bit (a stored run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import type { ModelOf } from '../src/config/schema';
import { crossEntropy } from '../src/models/losses';
import { fuseAll, pairsOf } from '../src/models/ops';
import { Params } from '../src/models/params';
import { alignment, crossTerms } from '../src/paradigms/dmil/losses';
import { buildNetwork, componentsFor } from '../src/paradigms/dmil/network';
import { fixture, lastLine, runCli, tinyConfig, tmpDir } from './helpers';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const t2 = (xs: number[][]) => tf.tensor2d(xs);

test('fuse_K: the K inputs, then a product and an absolute difference for every pair i < j', async () => {
  await selectBackend('cpu');
  assert.deepEqual(pairsOf(3), [[0, 1], [0, 2], [1, 2]]);
  const [a, b, c] = [t2([[1, 2]]), t2([[3, -1]]), t2([[0.5, 4]])];
  assert.deepEqual(fuseAll([a, b, c]).arraySync(), [[1, 2, 3, -1, 0.5, 4, 3, -2, 2, 3, 0.5, 8, 0.5, 2, 1.5, -4, 2.5, 5]]);
  assert.deepEqual(fuseAll([a, b]).arraySync(), [[1, 2, 3, -1, 3, -2, 2, 3]], 'with two inputs: [a, b, a*b, |a-b|]');
});

test('L_align with three modalities: the mean over the three pairs of the batch mean of ||r_i - r_j||^2', async () => {
  await selectBackend('cpu');
  const r = [t2([[1, 0], [0, 1]]), t2([[0, 1], [0, 1]]), t2([[1, 0], [1, 0]])];
  // pairs (1,2): rows 2, 0 -> mean 1; (1,3): rows 0, 2 -> 1; (2,3): rows 2, 2 -> 2; mean 4/3.
  close(alignment(r).dataSync()[0], 4 / 3);
  close(alignment(r.slice(0, 2)).dataSync()[0], 1, 1e-7);
});

function network(modalities: number) {
  const { config } = configFromObject(tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [6], out: 5 }, dmil: { latent: 3 } } }));
  const model = config.model as ModelOf<'dmil'>;
  const dims = [4, 3, 2, 5].slice(0, modalities);
  const spec = { inputDims: dims, inputShapes: dims.map((d) => [d]), modalityNames: ['a', 'b', 'c', 'd'].slice(0, modalities), classes: 2 };
  const params = new Params(model.init);
  return { net: buildNetwork(params, model, model.dmil, spec, 7), params, dmil: model.dmil, dims };
}

test('three modalities: K + 2 components and gate weights; the gate reads every z, p_R, p_U1..U3, p_S, p_M1..M3 and the three pairwise agreements', async () => {
  await selectBackend('cpu');
  const { net, params, dims } = network(3);
  const inputs = dims.map((d, m) => tf.randomNormal([5, d], 0, 1, 'float32', 20 + m) as tf.Tensor2D);
  const intra = net.intra(inputs, null);
  const cross = net.cross(intra, null);
  const g = net.gate(intra, cross);
  assert.deepEqual(componentsFor(3), ['R', 'U1', 'U2', 'U3', 'S']);
  assert.deepEqual(Object.keys(cross.logits), ['R', 'U1', 'U2', 'U3', 'S']);
  assert.deepEqual(g.gate.shape, [5, 5]);
  // Gate input width: z's (5 each) + 5 component probabilities and 3 M heads (2 classes each) + 3 agreements.
  assert.equal(params.get('gate.0.w').shape[0], 3 * 5 + (5 + 3) * 2 + 3);
  const pM = intra.logitsM.map((l) => tf.softmax(l));
  const features = [...intra.z, ...g.probs, ...pM, ...pairsOf(3).map(([i, j]) => tf.sum(tf.mul(pM[i], pM[j]), 1, true))];
  const hidden = tf.relu(tf.add(tf.matMul(tf.concat(features, 1) as tf.Tensor2D, params.get('gate.0.w')), params.get('gate.0.b')));
  const expected = tf.softmax(tf.add(tf.matMul(hidden as tf.Tensor2D, params.get('gate.1.w')), params.get('gate.1.b')));
  assert.ok(tf.max(tf.abs(tf.sub(g.gate, expected))).dataSync()[0] < 1e-5, 'the gate is G over exactly those inputs, in that order');
  // U3 reads M_c; S reads the N's (F over fuse_K of all three).
  assert.equal(params.get('syn.F.0.w').shape[0], (3 + 2 * 3) * 3, 'F reads fuse_K of three latents of 3: 9 blocks');
  assert.equal(params.get('warm.synergy.0.w').shape[0], (3 + 2 * 3) * 3);
});

test('three modalities: the residual synergy loss adds all three stop-gradient unimodal logits; L2 has one CE per U', async () => {
  await selectBackend('cpu');
  const { net, dmil, dims } = network(3);
  const inputs = dims.map((d, m) => tf.randomNormal([6, d], 0, 1, 'float32', 30 + m) as tf.Tensor2D);
  const intra = net.intra(inputs, null);
  const cross = net.cross(intra, null);
  const y = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
  const t = crossTerms(net, { ...dmil, s_loss: 'residual' }, intra, cross, y);
  assert.deepEqual(Object.keys(t), ['ce_R', 'ce_U1', 'ce_U2', 'ce_U3', 'ce_S', 'align', 'kl_U']);
  close(t.ce_S.dataSync()[0], crossEntropy(tf.addN([cross.logits.S, ...intra.logitsM]) as tf.Tensor2D, y).dataSync()[0]);
  close(crossTerms(net, { ...dmil, s_loss: 'ce' }, intra, cross, y).ce_S.dataSync()[0], crossEntropy(cross.logits.S, y).dataSync()[0]);
  close(t.ce_U3.dataSync()[0], crossEntropy(cross.logits.U3, y).dataSync()[0]);
  close(t.align.dataSync()[0], alignment(cross.r).dataSync()[0]);
});

test('two modalities reproduce the two-modality network bit for bit: a stored DMIL run\'s metrics, every epoch and term, on wasm', () => {
  const dir = tmpDir('dmil-k2');
  const runsDir = path.join(dir, 'runs');
  const r = runCli(['train', fixture('dmil-k2/config.yaml'), '--runs-dir', runsDir, '--backend', 'wasm', '--threads', '1', '-q']);
  assert.equal(r.status, 0, r.stderr);
  const id = lastLine(r.stdout);
  const strip = (text: string) => {
    const rows = text.trim().split('\n').map((l) => l.split(','));
    const t = rows[0].indexOf('epoch_seconds');
    return rows.map((row) => row.filter((_, i) => i !== t).join(','));
  };
  assert.deepEqual(strip(fs.readFileSync(path.join(runsDir, id, 'metrics.csv'), 'utf8')), fs.readFileSync(fixture('dmil-k2/metrics.csv'), 'utf8').trim().split('\n'));
  const evalOf = (file: string) => ({ ...JSON.parse(fs.readFileSync(file, 'utf8')), run: '' });
  assert.deepEqual(evalOf(path.join(runsDir, id, 'eval', 'test.json')), evalOf(fixture('dmil-k2/test.json')));
});

test('three modalities: perturbing M_c moves U3 and R but not U1, U2 or S; perturbing N_c moves S but no U', async () => {
  await selectBackend('cpu');
  const { net, params, dims } = network(3);
  const inputs = dims.map((d, m) => tf.randomNormal([6, d], 0, 1, 'float32', 40 + m) as tf.Tensor2D);
  const logits = () => net.cross(net.intra(inputs, null), null).logits;
  const moved = (prefix: string) => {
    const before = logits();
    const names = params.names().filter((n) => n.startsWith(prefix));
    params.assign(Object.fromEntries(names.map((n) => [n, tf.add(params.get(n), tf.randomNormal(params.get(n).shape, 0, 0.5, 'float32', 3))])));
    const after = logits();
    return Object.keys(before).filter((k) => tf.max(tf.abs(tf.sub(before[k], after[k]))).dataSync()[0] > 1e-6);
  };
  assert.deepEqual(moved('id.c.M.'), ['R', 'U3']);
  assert.deepEqual(moved('id.c.N.'), ['S']);
  assert.deepEqual(moved('id.a.N.'), ['S']);
});
