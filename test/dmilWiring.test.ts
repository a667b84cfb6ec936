// Which tensor feeds which part of DMIL. The formulas are pinned elsewhere (dmilUnits.test.ts);
// here each learned part is shown to read exactly the inputs the specification gives it: perturb
// the weights that make one representation (z_a, M_a, N_a) and only the parts fed by it move.
// Also: evaluation passes are deterministic (sampling only in training), and the `prior`
// adversary pulls towards the training split's label prior.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import type { ModelOf } from '../src/config/schema';
import { splitIndices } from '../src/data/dataset';
import { makeBatch, disposeBatch } from '../src/data/batches';
import { classPrior, modelSpec, prepareForTraining } from '../src/experiment/data';
import { Params } from '../src/models/params';
import { buildModel } from '../src/paradigms';
import { adversaryLoss, weightedL1, weightedL2 } from '../src/paradigms/dmil/losses';
import { buildNetwork, type DmilNetwork } from '../src/paradigms/dmil/network';
import { buildDmil, stageTrainConfig } from '../src/paradigms/dmil';
import { tinyConfig } from './helpers';

const spec = { inputDims: [4, 3], inputShapes: [[4], [3]], modalityNames: ['a', 'b'], classes: 3 };

function dmilModel(sets: string[] = []): ModelOf<'dmil'> {
  const { config } = configFromObject(tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [6], out: 5 }, dmil: { latent: 3 } } }), sets);
  if (config.model.paradigm !== 'dmil') throw new Error('dmil');
  return config.model;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

/** Every output of the network that a part produces, by name. */
function outputs(net: DmilNetwork, inputs: tf.Tensor2D[]): Record<string, tf.Tensor> {
  const intra = net.intra(inputs, null);
  const cross = net.cross(intra, null);
  const g = net.gate(intra, cross);
  return {
    'z_a': intra.z[0], 'z_b': intra.z[1],
    'M_a': intra.M[0].value, 'M_b': intra.M[1].value, 'N_a': intra.N[0].value, 'N_b': intra.N[1].value,
    'decoder_a': intra.zHat[0], 'decoder_b': intra.zHat[1],
    'M head a': intra.logitsM[0], 'M head b': intra.logitsM[1],
    'probe a': net.probe(0, intra.N[0].value, false), 'probe b': net.probe(1, intra.N[1].value, false),
    'warm-up joint W': net.warmJoint(intra.z), 'warm-up fusion W_N': net.warmSynergy(intra.N.map((n) => n.value)),
    'R': cross.logits.R, 'U1': cross.logits.U1, 'U2': cross.logits.U2, 'S': cross.logits.S,
    'gate': g.gate,
  };
}

/** The outputs that move when the weights under `prefix` are perturbed. */
function moved(prefix: string, inputs: tf.Tensor2D[]): string[] {
  const model = dmilModel();
  const params = new Params(model.init);
  const net = buildNetwork(params, model, model.dmil, spec, 7);
  const before = outputs(net, inputs);
  const names = params.names().filter((n) => n.startsWith(prefix));
  assert.ok(names.length > 0, `no parameters under ${prefix}`);
  params.assign(Object.fromEntries(names.map((n) => [n, tf.add(params.get(n), tf.randomNormal(params.get(n).shape, 0, 0.5, 'float32', 11))])));
  const after = outputs(net, inputs);
  return Object.keys(before).filter((k) => maxDiff(before[k], after[k]) > 1e-6).sort();
}

test('perturbing the weights that make z_a, M_a or N_a moves only the parts the specification feeds with them', async () => {
  await selectBackend('cpu');
  const inputs = [tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D, tf.randomNormal([6, 3], 0, 1, 'float32', 4) as tf.Tensor2D];
  // Everything of modality a reads z_a; W reads [z_a, z_b]; the gate reads z_a directly.
  assert.deepEqual(moved('enc.a.', inputs), ['M head a', 'M_a', 'N_a', 'R', 'S', 'U1', 'decoder_a', 'gate', 'probe a', 'warm-up fusion W_N', 'warm-up joint W', 'z_a'].sort());
  // M_a feeds its M head, its decoder, R (through P_a) and U1; not N, S, the probe or W_N.
  assert.deepEqual(moved('id.a.M.', inputs), ['M head a', 'M_a', 'R', 'U1', 'decoder_a', 'gate'].sort());
  // N_a feeds its decoder, its probe, W_N and S; not the M head, R or the U's.
  assert.deepEqual(moved('id.a.N.', inputs), ['N_a', 'S', 'decoder_a', 'gate', 'probe a', 'warm-up fusion W_N'].sort());
  // The decoder reads both M_a and N_a (above); its own weights move only its output.
  assert.deepEqual(moved('id.a.decoder.', inputs), ['decoder_a']);
  // Level 2: P_a only R; the U_a head only U1; F only S; the gate's weights only the gate.
  assert.deepEqual(moved('cd.a.P.', inputs), ['R', 'gate'].sort());
  assert.deepEqual(moved('cd.a.U.', inputs), ['U1', 'gate'].sort());
  assert.deepEqual(moved('syn.F.', inputs), ['S', 'gate'].sort());
  assert.deepEqual(moved('gate.', inputs), ['gate']);
  assert.deepEqual(moved('warm.synergy.', inputs), ['warm-up fusion W_N']);
  assert.deepEqual(moved('probe.a.', inputs), ['probe a']);
});

test('evaluation passes are deterministic and use the means; sampling happens only in training, from the step\'s own stream', async () => {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [8], out: 6 }, dmil: { latent: 3, stages: [{ name: 'decompose-intra' }, { name: 'decompose-cross' }, { name: 'finetune' }] } } })).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const batch = makeBatch(data, splitIndices(data, 'val').slice(0, 16));
  try {
    for (const stage of model.stages) {
      const loss = (training: boolean, step: number) => stage.loss(batch.inputs, batch.labels, training, step).total.dataSync()[0];
      assert.equal(loss(false, 0), loss(false, 7), `${stage.name}: validation does not depend on the step`);
      assert.equal(loss(false, 3), loss(false, 3), `${stage.name}: validation is repeatable`);
      assert.equal(loss(true, 5), loss(true, 5), `${stage.name}: a training step's noise is its own, repeatable`);
      assert.notEqual(loss(true, 5), loss(false, 5), `${stage.name}: training samples, validation does not`);
      assert.notEqual(loss(true, 5), loss(true, 6), `${stage.name}: each step draws new noise`);
    }
    const a = model.predict(batch.inputs);
    const b = model.predict(batch.inputs);
    assert.equal(maxDiff(a.probs, b.probs), 0, 'predictions are deterministic');
    assert.equal(maxDiff(a.gate!, b.gate!), 0);
  } finally {
    disposeBatch(batch);
    model.params.dispose();
  }
});

test('the prior adversary pulls the frozen probe towards the label prior of the training split (not of the batch, not uniform)', async () => {
  await selectBackend('cpu');
  const config = configFromObject(tinyConfig({
    data: { source: 'synthetic', samples: 300, classes: 3, mix: { R: 1 }, modalities: [{ name: 'a', dim: 4, noise: 0.3 }, { name: 'b', dim: 3, noise: 0.3 }] },
    model: { paradigm: 'dmil', backbone: { hidden: [6], out: 5 }, dmil: { latent: 3, adversary: 'prior' } },
  })).config;
  const { data } = await prepareForTraining(config);
  const counts = [0, 0, 0];
  let n = 0;
  data.split.forEach((s, i) => {
    if (s === 0) {
      counts[data.labels[i]]++;
      n++;
    }
  });
  const trainPrior = counts.map((c) => c / n);
  assert.deepEqual(classPrior(data), trainPrior, 'the prior is the training split\'s class shares');
  const model = buildModel(config, modelSpec(data));
  // A batch whose own label shares differ from the training prior: all of class 0.
  const rows = Int32Array.from(splitIndices(data, 'train').filter((i) => data.labels[i] === 0).slice(0, 12));
  const batch = makeBatch(data, rows);
  try {
    const stage = model.stages[0];
    const out = stage.loss(batch.inputs, batch.labels, false, 0);
    // Recompute the adversary term from the probes' weights against three targets.
    const adv = out.terms.adv.dataSync()[0];
    const terms = (prior: number[]) => {
      const intraN = intraNs(model, batch.inputs);
      return 0.3 * intraN.reduce((s, nLogits) => s + adversaryLoss('prior', nLogits, batch.labels, tf.tensor1d(prior)).dataSync()[0], 0);
    };
    assert.ok(Math.abs(adv - terms(trainPrior)) < 1e-5, `adv ${adv} = w_adv * sum_m CE(probe_m(N_m), training prior) ${terms(trainPrior)}`);
    assert.ok(Math.abs(adv - terms([1, 0, 0])) > 1e-3, 'not the batch\'s own label shares');
    assert.ok(Math.abs(adv - terms([1 / 3, 1 / 3, 1 / 3])) > 1e-4 || trainPrior.every((p) => Math.abs(p - 1 / 3) < 1e-9), 'not uniform');
  } finally {
    disposeBatch(batch);
    model.params.dispose();
  }
});

/** The frozen probes' logits on N_m as stage 1 computes them in evaluation (means, no noise). */
function intraNs(model: ReturnType<typeof buildModel>, inputs: tf.Tensor2D[]): tf.Tensor2D[] {
  const rep = model.labelFreeRepresentations!(inputs);
  return ['a', 'b'].map((m) => {
    const n = rep[`N_${m}`];
    const h = tf.relu(tf.add(tf.matMul(n, model.params.get(`probe.${m}.0.w`)), model.params.get(`probe.${m}.0.b`))) as tf.Tensor2D;
    return tf.add(tf.matMul(h, model.params.get(`probe.${m}.1.w`)), model.params.get(`probe.${m}.1.b`)) as tf.Tensor2D;
  });
}

test('each stage trains its own parameter groups: stage 1 the encoders, splits and warm-up heads; stage 2 the cross part, synergy and gate; finetune both but the warm-up heads; the probe only with an adversary', () => {
  const groupsOf = (names: string[]) => [...new Set(names.map((n) => n.split('.')[0]))].sort();
  for (const [adversary, probe] of [['off', []], ['prior', ['probe']]] as const) {
    const model = buildDmil(dmilModel([`model.dmil.adversary=${adversary}`]), configFromObject(tinyConfig()).config.train, spec, 1);
    assert.deepEqual(model.stages.map((s) => s.name), ['decompose-intra', 'decompose-cross', 'finetune']);
    const [intra, cross, finetune] = model.stages.map((s) => groupsOf(s.trainable));
    assert.deepEqual(intra, ['enc', 'id', ...probe, 'warm'].sort(), `stage 1 with adversary ${adversary}`);
    assert.deepEqual(cross, ['cd', 'gate', 'syn']);
    assert.deepEqual(finetune, ['cd', 'enc', 'gate', 'id', ...probe, 'syn'].sort());
    const all = new Set(model.params.names());
    for (const s of model.stages) assert.ok(s.trainable.length > 0 && s.trainable.every((n) => all.has(n)), `${s.name}: real parameter names`);
    model.params.dispose();
  }
});

test('stage training settings: finetune defaults to half the learning rate; a stage\'s lr, optimizer, epochs and early stopping override train\'s', () => {
  const train = configFromObject(tinyConfig({ train: { epochs: 9, optimizer: { lr: 0.002 } } })).config.train;
  assert.equal(stageTrainConfig(train, { name: 'decompose-intra' }).optimizer.lr, 0.002);
  assert.equal(stageTrainConfig(train, { name: 'decompose-cross' }).optimizer.lr, 0.002);
  assert.equal(stageTrainConfig(train, { name: 'finetune' }).optimizer.lr, 0.001);
  assert.equal(stageTrainConfig(train, { name: 'finetune', lr: 0.01 }).optimizer.lr, 0.01);
  assert.equal(stageTrainConfig(train, { name: 'finetune', optimizer: { lr: 0.03 } } as never).optimizer.lr, 0.03);
  const own = stageTrainConfig(train, { name: 'decompose-cross', epochs: 4, early_stop: { patience: 1 } } as never);
  assert.deepEqual([own.epochs, own.early_stop.patience, own.optimizer.type], [4, 1, train.optimizer.type]);
  assert.equal(stageTrainConfig(train, { name: 'decompose-intra' }).epochs, 9);
});

test('DMIL on one modality stops with a UserError that says to use unimodal', () => {
  const train = configFromObject(tinyConfig()).config.train;
  assert.throws(() => buildDmil(dmilModel(), train, { ...spec, inputDims: [4], inputShapes: [[4]], modalityNames: ['a'] }, 1),
    (e: Error) => e.name === 'UserError' && /^dmil needs at least 2 modalities; this data has 1$/.test(e.message));
});

test('the stage losses: decompose-cross adds L2 to the gate\'s terms; finetune adds beta L1 and gamma L2 instead, and reports L1\'s terms', async () => {
  await selectBackend('cpu');
  const base = tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [8], out: 6 }, dmil: { latent: 3 } } });
  const build = async (sets: string[]) => {
    const config = configFromObject(base, sets).config;
    const { data } = await prepareForTraining(config);
    if (config.model.paradigm !== 'dmil') throw new Error('dmil');
    return { model: buildModel(config, modelSpec(data)), dmil: config.model.dmil, batch: makeBatch(data, splitIndices(data, 'val').slice(0, 16)) };
  };
  const plain = await build([]);
  const zero = await build(['model.dmil.weights.beta=0', 'model.dmil.weights.gamma=0']);
  try {
    const [, cross, finetune] = plain.model.stages;
    const run = (m: typeof plain, i: number) => m.model.stages[i].loss(m.batch.inputs, m.batch.labels, false, 0);
    const c = run(plain, 1);
    const f = run(plain, 2);
    const f0 = run(zero, 2);
    const value = (t: tf.Tensor) => t.dataSync()[0];
    assert.equal(cross.name, 'decompose-cross');
    assert.equal(finetune.name, 'finetune');
    assert.ok(!('ce_M1' in c.terms) && 'ce_M1' in f.terms, 'finetune reports L1\'s terms, decompose-cross does not');
    // With beta = gamma = 0 finetune is the gate's terms alone (mixture NLL and load balancing; no adversary by default); decompose-cross adds L2.
    assert.ok(Math.abs(value(f0.total) - value(f0.terms.mix) - value(f0.terms.lb)) < 1e-5, 'finetune with beta = gamma = 0 = mix + lb');
    assert.ok(value(f0.terms.mix) > 0.1, 'the mixture NLL is a real term');
    assert.ok(Math.abs(value(c.total) - value(f0.total) - value(weightedL2(c.terms, plain.dmil))) < 1e-5, 'decompose-cross = gate terms + L2');
    const w = plain.dmil.weights;
    const l1 = value(weightedL1(f.terms, w, 2));
    const l2 = value(weightedL2(f.terms, plain.dmil));
    assert.ok(Math.abs(value(f.total) - value(f0.total) - (w.beta * l1 + w.gamma * l2)) < 1e-5, 'finetune = gate terms + beta L1 + gamma L2');
  } finally {
    for (const m of [plain, zero]) { disposeBatch(m.batch); m.model.params.dispose(); }
  }
});
