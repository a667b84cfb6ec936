import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFromObject, readConfigFile } from '../src/config/load';
import { configReferenceDocument, configReferenceMarkdown } from '../src/config/reference';
import { UserError } from '../src/errors';
import { stageTrainConfig } from '../src/paradigms/dmil';
import { repoRoot, tinyConfig, tmpDir, writeConfig } from './helpers';

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e.oneLine();
  }
  assert.fail('expected an error');
}

test('the shipped xor config loads and every default is filled in', () => {
  const { config } = readConfigFile(path.join(repoRoot, 'configs', 'xor.yaml'));
  assert.equal(config.name, 'xor');
  assert.equal(config.model.paradigm, 'joint');
  assert.equal(config.train.early_stop.metric, 'val_ce');
  assert.equal(config.train.optimizer.beta2, 0.999);
  assert.equal(config.data.source === 'synthetic' && config.data.cue, 1);
});

test('--set overrides are typed by the schema', () => {
  const { config } = configFromObject(tinyConfig(), ['train.epochs=7', 'model.backbone.hidden=[32, 16]', 'name=123', 'data.mix={R: 1, S: 0}', 'train.optimizer.lr=1e-2']);
  assert.equal(config.train.epochs, 7);
  assert.deepEqual(config.model.backbone.hidden, [32, 16]);
  assert.equal(config.name, '123');
  assert.equal(config.train.optimizer.lr, 0.01);
  assert.deepEqual(config.data.source === 'synthetic' && config.data.mix, { R: 1, U1: 0, U2: 0, S: 0 });
});

test('errors name the key path, the YAML line and column, and a fix', () => {
  const dir = tmpDir('config');
  const file = writeConfig(dir, 'name: x\ndata:\n  source: synthetic\ntrain:\n  epocs: 3\n');
  assert.equal(errorOf(() => readConfigFile(file)), `${file}:5:3: train.epocs: unknown key "epocs" (did you mean "epochs"?)`);
  const neg = writeConfig(dir, 'data:\n  source: synthetic\ntrain:\n  epochs: -2\n', 'neg.yaml');
  assert.equal(errorOf(() => readConfigFile(neg)), `${neg}:4:11: train.epochs: must be >= 1, got -2`);
  const para = writeConfig(dir, 'data: {source: synthetic}\nmodel: {paradigm: jiont}\n', 'para.yaml');
  assert.match(errorOf(() => readConfigFile(para)), /para\.yaml:2:19: model\.paradigm: "jiont" is not a known paradigm \(supported: unimodal, joint, ensemble, late-fusion, i2m2, ogm-ge, qmf, pmr, mla, i2moe, dmil; did you mean "joint"\?\)/);
  assert.match(errorOf(() => configFromObject(tinyConfig(), ['train.epochs=ten'])), /^--set train\.epochs=ten: train\.epochs: expected a number, got "ten"/);
  assert.match(errorOf(() => configFromObject(tinyConfig(), ['trian.epochs=3'])), /unknown key "trian" \(did you mean "train"\?\)/);
});

test('docs/reference/config.md is the one generated from the schema', () => {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'reference', 'config.md'), 'utf8');
  assert.equal(doc, configReferenceDocument(), 'docs/reference/config.md is out of date: run npm run docs');
  assert.ok(doc.includes(configReferenceMarkdown()));
});

test('a DMIL stage overrides only what it names; --set reaches into the default stage list', () => {
  const raw = tinyConfig({ train: { optimizer: { type: 'sgd', lr: 0.1 }, epochs: 9 } });
  const defaults = configFromObject(raw, ['model.paradigm=dmil', 'model.dmil.stages.1.epochs=4']).config;
  assert.ok(defaults.model.paradigm === 'dmil');
  if (defaults.model.paradigm !== 'dmil') return;
  assert.deepEqual(defaults.model.dmil.stages.map((s) => [s.name, s.epochs]), [['decompose-intra', undefined], ['decompose-cross', 4], ['finetune', undefined]], 'the paper\'s three stages by default');
  const threeStages = 'model.dmil.stages=[{name: decompose-intra}, {name: decompose-cross, epochs: 4}, {name: finetune}]';
  const { config } = configFromObject(raw, ['model.paradigm=dmil', threeStages, 'model.dmil.stages.2.optimizer={momentum: 0.5}']);
  assert.equal(config.model.paradigm, 'dmil');
  if (config.model.paradigm !== 'dmil') return;
  const [intra, cross, finetune] = config.model.dmil.stages.map((s) => stageTrainConfig(config.train, s));
  assert.deepEqual([intra.epochs, cross.epochs, finetune.epochs], [9, 4, 9]);
  assert.equal(finetune.optimizer.type, 'sgd', 'the user\'s optimiser type survives a stage override');
  assert.equal(finetune.optimizer.momentum, 0.5);
  assert.deepEqual([intra.optimizer.lr, finetune.optimizer.lr], [0.1, 0.05], 'finetune defaults to half the learning rate');
  assert.match(errorOf(() => configFromObject(raw, ['model.paradigm=dmil', 'model.dmil.mi=club'])), /--set model\.dmil\.mi=club: model\.dmil\.mi: an I\(U_m; R\) penalty with weights\.mi 0 does nothing; set model\.dmil\.weights\.mi above 0/);
  assert.match(errorOf(() => configFromObject(raw, ['model.paradigm=dmil', 'model.dmil.stages=[{name: finetune}, {name: decompose-intra}]'])), /stages must be a subset of decompose-intra, decompose-cross, finetune, in that order/);
});

test('every shipped config loads; relative data paths resolve against the config file', () => {
  const dir = path.join(repoRoot, 'configs');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5, files.join(', '));
  for (const f of files) {
    const { config } = readConfigFile(path.join(dir, f));
    assert.equal(config.name, f.replace(/\.yaml$/, ''), `${f}: name matches the file`);
    if (config.data.source === 'csv') assert.equal(config.data.path, path.join(repoRoot, 'datasets', 'example.csv'));
  }
});
