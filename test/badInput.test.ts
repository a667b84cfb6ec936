// Every user mistake: exit code 2, exactly one line on stderr that says what, where and how to
// fix, no stack trace, and no run folder left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

const dir = tmpDir('bad');
const runsDir = path.join(dir, 'runs');
fs.mkdirSync(runsDir);
const good = writeConfig(dir, tinyConfig(), 'good.yaml');
const yamlOf = (patch: (c: Record<string, any>) => void) => {
  const c = structuredClone(tinyConfig()) as Record<string, any>;
  patch(c);
  return stringify(c);
};
const file = (name: string, text: string) => writeConfig(dir, text, name);
const blocker = path.join(dir, 'a-file');
fs.writeFileSync(blocker, 'not a folder');

// Runs that the eval cases refer to: one failed run.
const failedId = 'tiny-20260101-000000-dead';
fs.mkdirSync(path.join(runsDir, failedId));
fs.writeFileSync(path.join(runsDir, failedId, 'meta.json'), JSON.stringify({ id: failedId, status: 'failed', paradigm: 'joint', stages_done: [] }));

const cases: { name: string; args: string[]; expect: RegExp }[] = [
  { name: 'malformed YAML', args: ['train', file('malformed.yaml', 'name: x\ndata:\n  source: [synthetic\n')], expect: /malformed\.yaml:\d+:\d+: invalid YAML: .+ \(fix the YAML syntax/ },
  { name: 'unknown key', args: ['train', file('unknown.yaml', yamlOf((c) => { c.train.batchsize = 3; }))], expect: /unknown\.yaml:\d+:\d+: train\.batchsize: unknown key "batchsize" \(did you mean "batch_size"\?\)/ },
  { name: 'wrong type', args: ['train', file('type.yaml', yamlOf((c) => { c.data.samples = 'many'; }))], expect: /type\.yaml:\d+:\d+: data\.samples: expected a number, got "many"/ },
  { name: 'negative epochs', args: ['train', file('neg.yaml', yamlOf((c) => { c.train.epochs = -1; }))], expect: /neg\.yaml:\d+:\d+: train\.epochs: must be >= 1, got -1/ },
  { name: 'negative mix share', args: ['train', file('negmix.yaml', yamlOf((c) => { c.data.mix.S = -0.5; }))], expect: /negmix\.yaml:\d+:\d+: data\.mix\.S: must be >= 0, got -0\.5/ },
  { name: 'all-zero mix', args: ['train', file('zeromix.yaml', yamlOf((c) => { c.data.mix = { R: 0, U1: 0, U2: 0, S: 0 }; }))], expect: /zeromix\.yaml:\d+:\d+: data\.mix: at least one share must be above 0/ },
  { name: 'unknown paradigm', args: ['train', good, '--set', 'model.paradigm=fusion'], expect: /--set model\.paradigm=fusion: model\.paradigm: "fusion" is not a known paradigm \(supported: unimodal, joint, ensemble, late-fusion, i2m2, ogm-ge, qmf, pmr, mla, i2moe, dmil\)/ },
  { name: 'a key of another paradigm', args: ['train', good, '--set', 'model.paradigm=ensemble', '--set', 'model.head.hidden=[4]'], expect: /--set model\.head\.hidden=\[4\]: model\.head: "head" is not a key of paradigm ensemble \(it belongs to paradigms joint, i2m2, i2moe; remove it, or set model\.paradigm to one of those\)/ },
  { name: 'unknown data source', args: ['train', file('source.yaml', yamlOf((c) => { c.data.source = 'parquet'; }))], expect: /source\.yaml:\d+:\d+: data\.source: "parquet" is not a known source \(supported: synthetic, liang2023, csv, npy, idx, pairs, pickle, hdf5\)/ },
  { name: 'missing data section', args: ['train', file('nodata.yaml', 'name: x\n')], expect: /nodata\.yaml:1:1: data: missing required key \(add "data" to the config\)/ },
  { name: 'a config that is not a mapping', args: ['train', file('list.yaml', '- 1\n- 2\n')], expect: /list\.yaml:1:1: a config must be a YAML mapping/ },
  { name: 'val + test leave too little to train', args: ['train', good, '--set', 'data.split={val: 0.5, test: 0.45}'], expect: /--set data\.split=.*: data\.split: val \+ test must leave at least 10% for training/ },
  { name: 'missing config file', args: ['train', path.join(dir, 'nope.yaml')], expect: /nope\.yaml: config file not found \(pass the path of a YAML config/ },
  { name: 'no config at all', args: ['train'], expect: /dmil train: missing config file \(usage: dmil train CONFIG, or dmil train --resume RUN\)/ },
  { name: 'a bad --set (no =)', args: ['train', good, '--set', 'train.epochs'], expect: /--set train\.epochs: --set takes key=value in one argument, got "train\.epochs" \(write --set train\.epochs=VALUE\)/ },
  { name: 'a --set of an unknown key', args: ['train', good, '--set', 'train.epoch=3'], expect: /--set train\.epoch=3: unknown key "epoch" in train \(did you mean "train\.epochs"\?\)/ },
  { name: 'a --set value of the wrong type', args: ['train', good, '--set', 'train.batch_size=big'], expect: /--set train\.batch_size=big: train\.batch_size: expected a number, got "big"/ },
  { name: 'backbone override for an unknown modality', args: ['train', good, '--set', 'model.backbones={c: {out: 4}}'], expect: /model\.backbones\.c: no modality named "c" \(modalities are a, b\)/ },
  { name: 'unimodal on an unknown modality', args: ['train', good, '--set', 'model.paradigm=unimodal', '--set', 'model.modality=z'], expect: /model\.modality: no modality named "z" \(modalities are a, b\)/ },
  { name: 'unwritable runs dir', args: ['train', good, '--runs-dir', path.join(blocker, 'runs')], expect: /a-file\/runs: runs folder cannot be created or written: a part of the path is a file \(ENOTDIR\) \(pass a writable folder with --runs-dir\)/ },
  { name: 'unknown option', args: ['train', good, '--epochs', '3'], expect: /^dmil: unknown option '--epochs' \(see dmil --help\)$/ },
  { name: 'unknown backend', args: ['train', good, '--backend', 'tpu'], expect: /option '--backend <name>' argument 'tpu' is invalid/ },
  { name: 'unknown run id', args: ['eval', 'no-such-run'], expect: /runs: no run "no-such-run" \(`dmil runs` lists the runs/ },
  { name: 'eval of a run that did not finish', args: ['eval', failedId], expect: /tiny-20260101-000000-dead: run is failed, not done; it has no final model yet \(finish it with: dmil train --resume tiny-20260101-000000-dead\)/ },
  { name: 'unknown split', args: ['eval', failedId, '--split', 'dev'], expect: /option '--split <split>' argument 'dev' is invalid/ },
  { name: 'unknown command', args: ['trian', good], expect: /unknown command 'trian' \(did you mean train\?; see dmil --help\)/ },
];

for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    const before = fs.readdirSync(runsDir).sort();
    const args = c.args.includes('--runs-dir') ? c.args : [...c.args, '--runs-dir', runsDir];
    const r = runCli(args);
    assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
    assert.match(lines[0], /^dmil: /);
    assert.match(lines[0], c.expect);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '', 'nothing on stdout');
    assert.deepEqual(fs.readdirSync(runsDir).sort(), before, 'no run folder left behind');
  });
}

test('--verbose adds the stack trace to an internal error only on request', () => {
  const r = runCli(['eval', 'no-such-run', '--runs-dir', runsDir, '--verbose']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\n\s+at /);
});
