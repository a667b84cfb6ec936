// The DMIL paradigm: gradient blocking where the specification stops gradients, freezing between
// stages, tensors across stages, resume (the CLI end to end: dmilCli.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { makeBatch, disposeBatch } from '../src/data/batches';
import { splitIndices } from '../src/data/dataset';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { evaluateSplits } from '../src/experiment/evaluate';
import { trainNew, trainResume } from '../src/experiment/train';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import type { ParadigmModel, Stage } from '../src/paradigms/paradigm';
import { readMeta } from '../src/runs/meta';
import { readMetrics } from '../src/runs/metricsFile';
import { runStage } from '../src/train/loop';
import { tinyConfig, tmpDir } from './helpers';

/** A tiny DMIL config with the paper's three stages, named (the default). */
function dmilConfig(sets: string[] = []): Config {
  const stages = [{ name: 'decompose-intra' }, { name: 'decompose-cross' }, { name: 'finetune' }];
  const raw = tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 }, dmil: { latent: 4, stages } } });
  return configFromObject(raw, ['train.epochs=2', ...sets]).config;
}

async function setup(sets: string[] = []) {
  const config = dmilConfig(sets);
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  return { config, data, model };
}

/** L2 norm of d(term)/d(param) for each parameter under the given prefixes (0 where no gradient reaches). */
function gradNorms(model: ParadigmModel, stage: Stage, term: string, prefixes: string[], batch: ReturnType<typeof makeBatch>): Record<string, number> {
  const names = model.params.names(prefixes);
  const vars = model.params.entries(names).map(([, v]) => v);
  // A parameter every term reaches keeps variableGrads from refusing an all-blocked case.
  const anchor = model.params.entries(model.params.names(['gate']))[0][1];
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const out = stage.loss(batch.inputs, batch.labels, true, 0);
      const t = term === 'total' ? out.total : out.terms[term];
      assert.ok(t, `no term ${term} in ${stage.name}: ${Object.keys(out.terms)}`);
      return tf.add(t, tf.mul(tf.sum(anchor), 0)) as tf.Scalar;
    }, [...vars, anchor]);
    return Object.fromEntries(names.map((n, i) => [n, grads[vars[i].name] ? tf.norm(grads[vars[i].name]).dataSync()[0] : 0]));
  });
}

const total = (norms: Record<string, number>) => Object.values(norms).reduce((a, b) => a + b, 0);

test('gradients stop where the specification says sg()', async () => {
  await selectBackend('wasm');
  // Our forms, where they add a stop-gradient: the adversary, the residual synergy loss, the mixture loss on the gate only.
  const { data, model } = await setup(['model.dmil.adversary=prior', 'model.dmil.s_loss=residual', 'model.dmil.finetune.mixture_to_components=false']);
  const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 32));
  const [intra, cross, finetune] = model.stages;
  const mods = ['a', 'b'];
  // Reconstruction targets sg(z): the rec term reaches the encoder only through M and N.
  assert.ok(total(gradNorms(model, intra, 'rec_1', ['id.a.decoder'], batch)) > 0);
  // The probe learns on sg(N): its loss does not reach the encoder or the N head...
  assert.equal(total(gradNorms(model, intra, 'probe', ['enc', 'id.a.N', 'id.b.N'], batch)), 0);
  assert.ok(total(gradNorms(model, intra, 'probe', ['probe'], batch)) > 0);
  // ...and the adversary trains N against the probe's frozen weights.
  assert.equal(total(gradNorms(model, intra, 'adv', ['probe'], batch)), 0);
  assert.ok(total(gradNorms(model, intra, 'adv', ['id.a.N'], batch)) > 0);
  // Residual synergy: CE(l_S + sg(l_M1) + sg(l_M2)) does not train the M heads.
  assert.equal(total(gradNorms(model, cross, 'ce_S', mods.map((m) => `id.${m}.head`), batch)), 0);
  assert.ok(total(gradNorms(model, cross, 'ce_S', ['syn'], batch)) > 0);
  // The gate reads detached features and learns from detached components.
  assert.equal(total(gradNorms(model, cross, 'mix', ['enc', 'id', 'cd', 'syn'], batch)), 0);
  assert.ok(total(gradNorms(model, cross, 'mix', ['gate'], batch)) > 0);
  assert.equal(total(gradNorms(model, finetune, 'mix', ['cd', 'syn', 'enc'], batch)), 0);
  disposeBatch(batch);
  model.params.dispose();

  // The paper's form: the mixture loss reaches the components in finetune.
  const paper = await setup(['model.dmil.finetune.mixture_to_components=true']);
  const b2 = makeBatch(paper.data, splitIndices(paper.data, 'train').subarray(0, 32));
  assert.ok(total(gradNorms(paper.model, paper.model.stages[2], 'mix', ['cd', 'syn'], b2)) > 0);
  disposeBatch(b2);
  paper.model.params.dispose();
});

test('each loss term reaches the parts that feed it and no others (the warm-up fusion head reads N, not M; U1 reads M_a, U2 M_b)', async () => {
  await selectBackend('wasm');
  const { data, model } = await setup();
  const batch = makeBatch(data, splitIndices(data, 'train').subarray(0, 32));
  const [intra, cross] = model.stages;
  const reaches = (stage: Stage, term: string, prefix: string) => total(gradNorms(model, stage, term, [prefix], batch)) > 0;
  // L_warm = CE(W([z_a, z_b])) + CE(W_N(fuse(N_a, N_b))): the encoders and the N heads, never the M heads.
  for (const m of ['a', 'b']) {
    assert.ok(reaches(intra, 'warm', `id.${m}.N`), `warm reaches N_${m}`);
    assert.ok(!reaches(intra, 'warm', `id.${m}.M`), `warm does not reach M_${m}`);
    assert.ok(reaches(intra, 'warm', `enc.${m}`), `warm reaches the encoder of ${m}`);
  }
  // Each modality's M head and reconstruction are its own.
  assert.ok(reaches(intra, 'ce_M1', 'id.a.M') && !reaches(intra, 'ce_M1', 'id.b') && !reaches(intra, 'ce_M1', 'id.a.N'));
  assert.ok(reaches(intra, 'rec_2', 'id.b.M') && reaches(intra, 'rec_2', 'id.b.N') && !reaches(intra, 'rec_2', 'id.a'));
  // Level 2: U1 from M_a, U2 from M_b, R from both P's, S from the N's only.
  assert.ok(reaches(cross, 'ce_U1', 'cd.a.U') && reaches(cross, 'ce_U1', 'id.a.M') && !reaches(cross, 'ce_U1', 'id.b') && !reaches(cross, 'ce_U1', 'cd.b'));
  assert.ok(reaches(cross, 'ce_U2', 'cd.b.U') && reaches(cross, 'ce_U2', 'id.b.M') && !reaches(cross, 'ce_U2', 'id.a'));
  assert.ok(reaches(cross, 'ce_R', 'cd.a.P') && reaches(cross, 'ce_R', 'cd.b.P') && !reaches(cross, 'ce_R', 'id.a.N') && !reaches(cross, 'ce_R', 'syn'));
  assert.ok(reaches(cross, 'ce_S', 'id.a.N') && reaches(cross, 'ce_S', 'id.b.N') && !reaches(cross, 'ce_S', 'id.a.M') && !reaches(cross, 'ce_S', 'cd'));
  disposeBatch(batch);
  model.params.dispose();
});

test('what a stage freezes is not updated: stage-1 weights are bit-identical after stage 2; tensors stay flat', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const { config, data, model } = await setup(['train.epochs=3']);
  const frozenGroups = ['enc', 'id', 'probe', 'warm'];
  const snapshots: Record<string, Float32Array>[] = [];
  const take = () => Object.fromEntries(model.params.entries(model.params.names(frozenGroups)).map(([n, v]) => [n, v.dataSync().slice() as Float32Array]));
  const withModel = tf.memory().numTensors;
  for (const stage of model.stages) {
    // Within a stage the count is flat (it holds the stage's best-epoch snapshot and optimiser
    // state, so it differs between stages); after each stage it is back to the model alone.
    const counts: number[] = [];
    await runStage({ stage, model, data, train: stage.train ?? config.train, seed: 1, logger: silentLogger, onEpochEnd: async (snap) => void (snap && snap() && counts.push(tf.memory().numTensors)) });
    assert.equal(new Set(counts).size, 1, `${stage.name}: tensor counts across epochs ${counts}`);
    assert.equal(tf.memory().numTensors, withModel, `${stage.name} left tensors behind`);
    snapshots.push(take());
  }
  assert.deepEqual(snapshots[1], snapshots[0], 'decompose-cross changed a frozen weight');
  assert.notDeepEqual(snapshots[2], snapshots[1], 'finetune trains the encoders');
  model.params.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('every (ours) switch trains end to end and logs the terms it adds or removes', async () => {
  await selectBackend('wasm');
  const cases: [string[], string[], string[]][] = [
    // sets, terms that must be logged, terms that must not
    [['model.dmil.r_head=mean', 'model.dmil.s_loss=residual', 'model.dmil.adversary=grl'], ['probe', 'adv', 'ce_S'], ['mi']],
    [[], ['ce_S'], ['probe', 'adv', 'mi']],
    [['model.dmil.mi=club', 'model.dmil.weights.mi=0.01'], ['mi'], []],
    [['model.dmil.mi=xcov', 'model.dmil.weights.mi=0.01'], ['mi'], []],
    [['model.dmil.adversary=prior', 'model.dmil.gate_inputs=features'], ['probe', 'adv'], ['mi']],
    [['model.dmil.adversary=clipped'], ['probe', 'adv'], []],
    [['model.dmil.adversary=off'], [], ['probe', 'adv']],
    [['model.dmil.weights.gate_entropy=0.1'], ['gate_entropy'], []],
  ];
  for (const [sets, present, absent] of cases) {
    const { config, data, model } = await setup([...sets, 'train.epochs=1']);
    const logged = new Set<string>();
    for (const stage of model.stages) {
      const out = await runStage({ stage, model, data, train: stage.train ?? config.train, seed: 1, logger: silentLogger, onEpochEnd: async (_s, rows) => rows.forEach((r) => Object.entries(r.values).forEach(([k, v]) => { assert.ok(Number.isFinite(v) || k === 'lr', `${sets}: ${k} = ${v}`); logged.add(k); })) });
      assert.equal(out.epochs, 1, sets.join(' '));
    }
    for (const t of present) assert.ok(logged.has(t), `${sets.join(' ')}: logs ${t}`);
    for (const t of absent) assert.ok(!logged.has(t), `${sets.join(' ')}: does not log ${t}`);
    if (sets.includes('model.dmil.mi=club')) assert.ok(model.params.names(['club']).length > 0);
    if (sets.includes('model.dmil.adversary=off')) assert.ok(!model.stages.some((s) => s.trainable.some((n) => n.startsWith('probe'))), 'no probe is trained without an adversary');
    model.params.dispose();
  }
});

test('a dmil run interrupted in decompose-cross resumes after the last finished stage and matches an uninterrupted run', async () => {
  const backend = await selectBackend('wasm');
  const runsDir = tmpDir('dmil-resume');
  const config = dmilConfig(['train.epochs=3']);
  const straight = await trainNew(config, { runsDir, backend, logger: silentLogger, command: [] });
  let calls = 0;
  let id = '';
  let dir = '';
  await assert.rejects(trainNew(config, {
    runsDir, backend, logger: silentLogger, command: [],
    interrupted: () => ++calls > 3 * 6 + 8,
    onRunFolder: (i, d) => { id = i; dir = d; },
  }), /interrupted/);
  assert.deepEqual(readMeta(dir).stages_done, ['decompose-intra']);
  assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'decompose-intra', 'weights.bin')));
  const resumed = await trainResume(id, dir, { runsDir, backend, logger: silentLogger, command: [] });
  const rows = (d: string) => readMetrics(path.join(d, 'metrics.csv')).map((r) => ({ ...r, values: { ...r.values, epoch_seconds: 0 } }));
  assert.deepEqual(rows(dir), rows(straight.dir));
  assert.deepEqual(resumed.test, { ...straight.test, run: id });
  assert.deepEqual(readMeta(dir).stages_done, ['decompose-intra', 'decompose-cross', 'finetune']);
});

test('evaluating a DMIL run (prediction record, label probes on N) leaves no tensors behind', async () => {
  await selectBackend('wasm');
  const { config, data, model } = await setup(['train.epochs=1']);
  for (const stage of model.stages) await runStage({ stage, model, data, train: stage.train ?? config.train, seed: 1, logger: silentLogger });
  const target = { runId: 'r', runDir: tmpDir('dmil-eval'), model, data, batchSize: 64, seed: 1 };
  const before = tf.memory().numTensors;
  const [val, test] = await evaluateSplits(target, [{ split: 'val' }, { split: 'test' }]);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Object.keys(test.n_probe_accuracy ?? {}), ['N_a', 'N_b']);
  assert.ok(val.n_probe_chance !== null && val.n_probe_chance > 0);
  // The ceiling is the same probe on z_m, not on N_m: the same seed on the same representation would give the same accuracy.
  assert.deepEqual(Object.keys(test.n_probe_ceiling ?? {}), ['N_a', 'N_b']);
  assert.notDeepEqual(test.n_probe_ceiling, test.n_probe_accuracy);
  assert.ok(fs.existsSync(path.join(target.runDir, 'eval', 'test.json')));
  model.params.dispose();
});
