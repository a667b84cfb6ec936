// WebGPU parity: a training step (each stage's loss and every gradient) of each paradigm and
// backbone on the webgpu backend equals the cpu backend's within float32 tolerance. Needs a GPU
// adapter (Dawn on Vulkan); without one the test says why it is skipped. On a GPU machine:
// scripts/gpu-check.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { findGpuAdapter } from '../src/backend/webgpu';
import { configFromObject } from '../src/config/load';
import { disposeBatch, makeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { buildModel } from '../src/paradigms';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

const images = { source: 'synthetic', samples: 120, classes: 3, modalities: [{ name: 'a', dim: 48, noise: 0.3 }, { name: 'b', dim: 48, noise: 0.3 }] };
const CASES: { name: string; raw: Record<string, unknown> }[] = [
  { name: 'joint, mlp', raw: tinyConfig({ model: { paradigm: 'joint', backbone: { hidden: [16], out: 8 } } }) },
  { name: 'ensemble, mlp', raw: tinyConfig({ model: { paradigm: 'ensemble', backbone: { hidden: [16], out: 8 } } }) },
  { name: 'late-fusion, mlp', raw: tinyConfig({ model: { paradigm: 'late-fusion', backbone: { hidden: [16], out: 8 } } }) },
  { name: 'dmil, mlp, three stages', raw: tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 }, dmil: { latent: 4, stages: [{ name: 'decompose-intra' }, { name: 'decompose-cross' }, { name: 'finetune' }] } } }) },
  { name: 'joint, conv2d', raw: tinyConfig({ data: images, model: { paradigm: 'joint', backbone: { type: 'conv2d', channels: [4, 8], out: 8 }, backbones: {} } }) },
];

/** Every stage's loss and gradients on one batch, as plain arrays. */
async function stepValues(backend: 'cpu' | 'wasm' | 'webgpu', raw: Record<string, unknown>): Promise<Record<string, Float32Array>> {
  await selectBackend(backend);
  const config = configFromObject(raw).config;
  const { data } = await prepareForTraining(config);
  const spec = modelSpec(data);
  const shaped = raw.data === images ? { ...data, modalities: data.modalities.map((m) => ({ ...m, shape: [4, 4, 3] })) } : data;
  const model = buildModel(config, raw.data === images ? { ...spec, inputShapes: [[4, 4, 3], [4, 4, 3]] } : spec);
  const out: Record<string, Float32Array> = {};
  const batch = makeBatch(shaped, splitIndices(shaped, 'train').subarray(0, 16));
  for (const stage of model.stages) {
    tf.tidy(() => {
      const vars = stage.trainable.map((n) => model.params.get(n));
      const { value, grads } = tf.variableGrads(() => stage.loss(batch.inputs, batch.labels, true, 0).total, vars);
      out[`${stage.name} loss`] = value.dataSync() as Float32Array;
      stage.trainable.forEach((n, i) => {
        const g = grads[vars[i].name];
        if (g) out[`${stage.name} grad ${n}`] = g.dataSync() as Float32Array;
      });
    });
  }
  disposeBatch(batch);
  model.params.dispose();
  return out;
}

async function assertParity(backend: 'wasm' | 'webgpu'): Promise<void> {
  for (const c of CASES) {
    const cpu = await stepValues('cpu', c.raw);
    const other = await stepValues(backend, c.raw);
    assert.deepEqual(Object.keys(other), Object.keys(cpu), `${c.name}: the same terms`);
    assert.ok(Object.keys(cpu).length > 2, `${c.name}: a loss and gradients were compared`);
    for (const [k, want] of Object.entries(cpu)) {
      const got = other[k];
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(want, (w, i) => Math.abs(w - got[i])));
      assert.ok(worst <= 2e-3 * scale, `${backend}, ${c.name}, ${k}: largest difference ${worst} (scale ${scale})`);
    }
  }
}

test('webgpu: each paradigm\'s and backbone\'s training step equals the cpu backend\'s (loss and every gradient)', async (t) => {
  const found = await findGpuAdapter();
  if ('reason' in found) {
    t.skip(`no GPU here: ${found.reason}`);
    return;
  }
  await assertParity('webgpu');
});

test('the same parity harness on wasm (runs everywhere): wasm\'s training step equals cpu\'s', async () => {
  await assertParity('wasm');
});

test('without a GPU, --backend webgpu stops with one line and auto says why it skipped webgpu', async () => {
  const found = await findGpuAdapter();
  if (!('reason' in found)) return assert.equal(typeof found.adapter.description, 'string', 'a GPU is here: the parity test above covers it');
  const dir = tmpDir('webgpu-none');
  const cfg = writeConfig(dir, tinyConfig());
  const forced = runCli(['train', cfg, '--backend', 'webgpu', '--runs-dir', path.join(dir, 'runs')]);
  assert.equal(forced.status, 2);
  assert.equal(forced.stderr, `dmil: --backend webgpu: the WebGPU backend cannot run here: ${found.reason} (use a machine with a GPU and its Vulkan driver, or --backend wasm)\n`);
  assert.ok(!fs.existsSync(path.join(dir, 'runs')), 'no run folder');
  const auto = runCli(['train', cfg, '--runs-dir', path.join(dir, 'runs')]);
  assert.equal(auto.status, 0, auto.stderr);
  assert.ok(auto.stderr.includes(`webgpu (${found.reason})`), 'auto says why it skipped webgpu');
});
