// The small conventions researchers expect of a command line (issue: everyday use).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { columnPrefix, guessFromHead } from '../src/data/csvGuess';
import { fixture, lastLine, repoRoot, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('--version names dmil, TensorFlow.js and Node.js', () => {
  const r = runCli(['--version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^dmil \d+\.\d+\.\d+ \(TensorFlow\.js \d+\.\d+\.\d+, Node\.js v\d+/);
});

test('aliases, and a nearest run id for a mistyped one', () => {
  const dir = tmpDir('conv-alias');
  const runsDir = path.join(dir, 'runs');
  const id = lastLine(runCli(['train', writeConfig(dir, tinyConfig()), '--runs-dir', runsDir, '-q']).stdout);
  const viaAlias = runCli(['evaluate', id, '--runs-dir', runsDir, '--json']);
  assert.equal(viaAlias.status, 0, viaAlias.stderr);
  assert.equal(typeof JSON.parse(viaAlias.stdout).accuracy, 'number');
  assert.equal(runCli(['list', '--runs-dir', runsDir, '--json']).status, 0);
  const typo = `${id.slice(0, 6)}X${id.slice(7, 14)}`;
  const r = runCli(['eval', typo, '--runs-dir', runsDir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`no run "${typo}" \\(did you mean ${id}\\? `));
});

test('--set with a space instead of "=" explains itself; modalities can be addressed by name', () => {
  const dir = tmpDir('conv-set');
  const cfg = writeConfig(dir, tinyConfig());
  const r = runCli(['train', cfg, '--set', 'train.epochs', '3']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'dmil: --set train.epochs: --set takes key=value in one argument, got "train.epochs" (write --set train.epochs=3)\n');
  const byName = runCli(['train', cfg, '--set', 'data.modalities.b.noise=0.9', '--print-config']);
  assert.equal(byName.status, 0, byName.stderr);
  const printed = parse(byName.stdout);
  assert.equal(printed.data.modalities[1].noise, 0.9);
  assert.equal(printed.data.modalities[0].noise, 0.3, 'only b changed');
  const unknown = runCli(['train', cfg, '--set', 'data.modalities.c.noise=0.9']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no modality named "c" \(modalities are a, b/);
});

test('--print-config and --dry-run write nothing; -q keeps the one-line result; logs say what their marks mean', () => {
  const dir = tmpDir('conv-dry');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [8], out: 4 }, dmil: { latent: 2 } } }));
  const printed = runCli(['train', cfg, '--print-config', '--runs-dir', runsDir]);
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal(parse(printed.stdout).train.eval_batch_size, 1024, 'defaults filled in');
  const dry = runCli(['train', cfg, '--dry-run', '--runs-dir', runsDir]);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /config tiny: valid\ndata synthetic: 240 samples \(\d+ train \/ \d+ val \/ \d+ test\), 3 classes\n  modality a: shape \[6\]\n  modality b: shape \[5\]\nmodel dmil: \d+ parameters; stages: decompose-intra, decompose-cross, finetune\nnothing was written \(dry run\)\n/);
  assert.ok(!fs.existsSync(runsDir), 'no runs folder');
  const loud = runCli(['train', cfg, '--runs-dir', runsDir]);
  assert.doesNotMatch(loud.stderr, /Cannot find module/, 'a native backend that is not installed is not an error');
  if (/tfjs-node-gpu/.test(loud.stderr)) assert.match(loud.stderr, /@tensorflow\/tfjs-node-gpu \(optional native backend, not installed\)/);
  assert.match(loud.stderr, /acc \d\.\d{4} \(best so far\) \| [\d,]+ samples\/s/);
  assert.match(loud.stderr, /done: test accuracy .* \| accuracy by type: R \d\.\d{3} U1/);
  const quiet = runCli(['train', cfg, '--runs-dir', runsDir, '-q']);
  assert.match(quiet.stderr, /^done: test accuracy [^\n]*\n$/);
});

test('dmil init --csv writes a starting config that trains, never overwrites, and says how to get completion', () => {
  assert.equal(columnPrefix('audio_12'), 'audio');
  assert.equal(columnPrefix('m1.3'), 'm1');
  assert.equal(columnPrefix('video-left'), 'video');
  assert.deepEqual(guessFromHead(['ID', 'target', 'fold', 'a_0', 'a_1', 'b_0', 'speaker'], [['x', '1', 'train', '0.5', '1', '2', 'ann']], 'x.csv'), { id: 'ID', label: 'target', split: 'fold', modalities: [{ name: 'a', columns: 'a_*' }, { name: 'b', columns: ['b_0'] }], textColumns: ['speaker'] });
  const dir = tmpDir('conv-init');
  const out = path.join(dir, 'config.yaml');
  const r = runCli(['init', '--csv', path.join(repoRoot, 'datasets', 'example.csv'), '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const text = fs.readFileSync(out, 'utf8');
  assert.match(text, /^# yaml-language-server: \$schema=dmil\.schema\.json\n/);
  assert.deepEqual(parse(text).data.modalities, [{ name: 'm1', columns: 'm1_*' }, { name: 'm2', columns: 'm2_*' }]);
  const dry = runCli(['train', out, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /800 samples .* 3 classes/);
  const again = runCli(['init', '--csv', path.join(repoRoot, 'datasets', 'example.csv'), '--out', out]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /--out exists/);
  const noLabel = runCli(['init', '--csv', fixture('m1_f4.npy'), '--out', path.join(dir, 'x.yaml')]);
  assert.equal(noLabel.status, 2);
  const schema = runCli(['schema']);
  assert.equal(JSON.parse(schema.stdout).type, 'object');
  assert.match(schema.stderr, /# yaml-language-server: \$schema=dmil\.schema\.json/);
});

test('shipped configs point only at files in the repository (or the Debian dataset package they name)', () => {
  for (const f of fs.readdirSync(path.join(repoRoot, 'configs')).filter((x) => x.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(repoRoot, 'configs', f), 'utf8');
    assert.doesNotMatch(text, /dmil-method\.md|shared\/design/, `${f} refers to a document outside the repository`);
  }
});
