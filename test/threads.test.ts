// The wasm backend on several threads (the threaded SIMD build, started through worker_threads):
// the same numbers as on one thread, a process that exits when its command is done, and the
// thread count as asked or chosen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLE_INTERNALS, threadSupportProblem } from '../src/backend/wasmThreads';
import { threadsFor } from '../src/cli/common';
import { configFromObject } from '../src/config/load';
import { Rng } from '../src/rng';
import { dmilBin, lastLine, tinyConfig, tmpDir, writeConfig, writeIdx } from './helpers';

function train(cfg: string, runsDir: string, threads: string): { id: string; stderr: string } {
  const r = spawnSync(process.execPath, [dmilBin, 'train', cfg, '--runs-dir', runsDir, '--threads', threads, '--backend', 'wasm'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `--threads ${threads} ended with ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  return { id: lastLine(r.stdout), stderr: r.stderr };
}

const rows = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
const evalOf = (dir: string) => ({ ...JSON.parse(fs.readFileSync(path.join(dir, 'eval', 'test.json'), 'utf8')), run: '' });

/** 160 random 8x8 images in 3 classes as IDX files: two 4x8 halves, for a conv backbone. */
function imageData(dir: string): Record<string, unknown> {
  const rng = new Rng(7);
  const n = 160;
  const images = path.join(dir, 'images-idx3-ubyte');
  const labels = path.join(dir, 'labels-idx1-ubyte');
  writeIdx(images, [n, 8, 8], Uint8Array.from({ length: n * 64 }, () => rng.int(256)));
  writeIdx(labels, [n], Uint8Array.from({ length: n }, (_, i) => i % 3));
  return { source: 'idx', images, labels, views: { halves: 'top-bottom' } };
}

for (const [name, conv] of [['an MLP joint model', false], ['a conv2d joint model', true]] as const) {
  test(`${name} trains to the same metrics on 1 and 2 wasm threads, and the command exits`, () => {
    const dir = tmpDir('threads');
    const extra = conv ? { data: imageData(dir), model: { paradigm: 'joint', backbone: { type: 'conv2d', channels: [4, 8], out: 8 } } } : {};
    const cfg = writeConfig(dir, tinyConfig(extra));
    const one = train(cfg, path.join(dir, 'one'), '1');
    const two = train(cfg, path.join(dir, 'two'), '2');
    assert.match(one.stderr, /backend wasm from \S+ on 1 thread\n/);
    assert.match(two.stderr, /backend wasm from \S+ on 2 threads\n/);
    assert.deepEqual(rows(path.join(dir, 'two', two.id)), rows(path.join(dir, 'one', one.id)), 'every metric of every epoch, timing aside');
    assert.deepEqual(evalOf(path.join(dir, 'two', two.id)), evalOf(path.join(dir, 'one', one.id)));
  });
}

test('--threads auto: one per core when training a convolutional backbone or a wide MLP, else 1; a number as given', () => {
  const mlp = configFromObject(tinyConfig()).config;
  const conv = configFromObject(tinyConfig({ model: { paradigm: 'joint', backbone: { type: 'conv2d' } }, data: imageData(tmpDir('threads-auto')) })).config;
  assert.equal(threadsFor('auto', mlp), 1);
  const wide = configFromObject(tinyConfig({ model: { paradigm: 'joint', backbone: { hidden: [1024], out: 64 } }, train: { batch_size: 512 } })).config;
  assert.equal(threadsFor('auto', wide), os.availableParallelism(), 'a step of 512 x 1024 x 1024');
  assert.equal(threadsFor('auto', conv), os.availableParallelism());
  assert.equal(threadsFor('auto'), 1, 'commands that only predict');
  assert.equal(threadsFor(3, mlp), 3);
});

test('the thread pool\'s reliance on tfjs internals: every text it patches is in the installed tfjs-backend-wasm; without one, threads are off with a note naming it', async () => {
  assert.equal(threadSupportProblem(), null, 'the installed tfjs-backend-wasm has what dmil\'s wasm threads patch (a tfjs update changed it if this fails)');
  const bundle = fs.readFileSync(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), 'tf-backend-wasm.node.js'), 'utf8');
  for (const [what, needle] of BUNDLE_INTERNALS) {
    assert.equal(threadSupportProblem(bundle.split(needle).join('/* changed */')), `this tfjs-backend-wasm no longer has ${what}, which dmil's wasm threads rely on`);
  }
  // A process whose tfjs bundle reads differently (the same code, one space more): a note, one thread, the run ends done.
  const dir = tmpDir('threads-off');
  const preload = path.join(dir, 'break.js');
  fs.writeFileSync(preload, `const fs = require('fs'); const read = fs.readFileSync; fs.readFileSync = function (f, ...a) { const t = read.call(this, f, ...a); return String(f).endsWith('tf-backend-wasm.node.js') ? String(t).split('var commonjsGlobal =').join('var  commonjsGlobal =') : t; };\n`);
  const cfg = writeConfig(dir, tinyConfig());
  const r = spawnSync(process.execPath, ['--require', preload, dmilBin, 'train', cfg, '--runs-dir', path.join(dir, 'runs'), '--threads', '2', '--backend', 'wasm'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /backend wasm from @tensorflow\/tfjs-backend-wasm on 1 thread \(threads off: this tfjs-backend-wasm no longer has the bundle's global named commonjsGlobal, which dmil's wasm threads rely on\)/);
});
