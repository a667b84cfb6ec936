// The pickle reader: numpy arrays as numpy 1.x and 2.x pickle them (every dtype the benchmarks
// use), and the security boundary: a pickle naming any callable outside numpy's reconstruction is
// refused with one line before anything runs (a payload that would create a file does not), and
// the allowed callables cannot be turned against the reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePickle, type PyValue } from '../src/data/pickle';
import { toNumbers, toStrings, writeFloat32, type NdArray } from '../src/data/ndarray';
import { UserError } from '../src/errors';
import { dtype, f32, i64, ndarray, P, pickle } from './support/pickleWriter';
import { runCli, tmpDir, writeConfig } from './helpers';

const get = (v: PyValue, ...keys: (string | number)[]): PyValue => keys.reduce<PyValue>((cur, k) => (cur as Map<string | number, PyValue>).get(k)!, v);
const refused = (bytes: Buffer, pattern: RegExp) => assert.throws(() => parsePickle(bytes, 'x.pkl'), (e: unknown) => e instanceof UserError && pattern.test(e.oneLine()) && !e.oneLine().includes('\n'));

test('numpy arrays read as numpy wrote them: float32/64/16, big-endian, int64, bytes and str ids, numpy 2 module names, protocol 2 latin1 bytes', () => {
  const half = new Uint8Array(new Uint16Array([0x3e00, 0xc000, 0x7c00]).buffer); // 1.5, -2, inf
  const be = Buffer.alloc(16);
  be.writeDoubleBE(0.25, 0);
  be.writeDoubleBE(-3, 8);
  const u2 = Buffer.from('x\0\0\0\0\0\0\0y\0\0\0y\0\0\0', 'latin1');
  const bytes = pickle(P.dict([['train', P.dict([
    ['vision', ndarray('f4', [2, 3], f32([0, 1, 2, 3, 4, 5]))],
    ['v2', ndarray('f4', [2, 3], f32([0, 1, 2, 3, 4, 5]), { numpy2: true })],
    ['latin', ndarray('f4', [2, 3], f32([0, 1, 2, 3, 4, 5]), { latin1: true })],
    ['labels', ndarray('i8', [2], i64([3, -4]))],
    ['half', ndarray('f2', [3], half)],
    ['be', ndarray('f8', [2], be, { order: '>' })],
    ['id', ndarray('O8', [2], [P.bytes(Buffer.from('a1')), P.bytes(Buffer.from('b2'))], { order: '|' })],
    ['names', ndarray('U2', [2], u2)],
  ])]]));
  const tree = parsePickle(bytes, 'x.pkl');
  for (const key of ['vision', 'v2', 'latin']) {
    const a = get(tree, 'train', key) as NdArray;
    assert.deepEqual(a.shape, [2, 3]);
    const out = new Float32Array(8).fill(9);
    writeFloat32(a, out, 1, key); // at an offset no float32 view could start at in the pickle's bytes
    assert.deepEqual(Array.from(out), [9, 0, 1, 2, 3, 4, 5, 9], key);
  }
  assert.deepEqual(Array.from(toNumbers(get(tree, 'train', 'labels') as NdArray, 'l')), [3, -4]);
  assert.deepEqual(Array.from(toNumbers(get(tree, 'train', 'half') as NdArray, 'h')), [1.5, -2, Infinity]);
  assert.deepEqual(Array.from(toNumbers(get(tree, 'train', 'be') as NdArray, 'b')), [0.25, -3]);
  assert.deepEqual(toStrings(get(tree, 'train', 'id') as NdArray, 'i'), ['a1', 'b2']);
  assert.deepEqual(toStrings(get(tree, 'train', 'names') as NdArray, 'n'), ['x', 'yy']);
});

test('a pickle that names os.system (or any callable outside numpy\'s reconstruction) is refused with one line and nothing runs', () => {
  const dir = tmpDir('pickle-hostile');
  const marker = path.join(dir, 'PWNED');
  const command = P.tupleOf([P.str(`touch ${marker}`)]);
  const payloads: [string, Buffer][] = [
    ['os.system', pickle(Buffer.concat([P.global('os', 'system'), command, P.reduce()]))],
    ['posix.system', Buffer.concat([P.proto(4), P.stackGlobal('posix', 'system'), command, P.reduce(), P.stop()])],
    ['builtins.eval', pickle(Buffer.concat([P.global('builtins', 'eval'), P.tupleOf([P.str(`__import__('os').system('touch ${marker}')`)]), P.reduce()]))],
    // After a valid array, inside the dict: the read stops at the name, whatever came first.
    ['subprocess.call', pickle(P.dict([['ok', ndarray('f4', [1], f32([1]))], ['x', Buffer.concat([P.global('subprocess', 'call'), command, P.reduce()])]]))],
    // numpy itself, outside array reconstruction: numpy.load would read any file.
    ['numpy.load', pickle(Buffer.concat([P.global('numpy', 'load'), P.tupleOf([P.str('/etc/passwd')]), P.reduce()]))],
  ];
  for (const [name, bytes] of payloads) refused(bytes, new RegExp(`names the Python callable ${name.replace('.', '\\.')}, which dmil does not run`));
  assert.equal(fs.existsSync(marker), false);

  // Through the CLI: exit 2, one line naming the callable, no run folder.
  fs.writeFileSync(path.join(dir, 'evil.pkl'), payloads[0][1]);
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', writeConfig(dir, { name: 'evil', data: { source: 'pickle', path: 'evil.pkl', modalities: [{ name: 'a' }, { name: 'b' }] } }), '--runs-dir', runs]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /evil\.pkl: the pickle names the Python callable os\.system/);
  assert.equal(fs.existsSync(marker), false);
  assert.deepEqual(fs.existsSync(runs) ? fs.readdirSync(runs).filter((f) => !f.startsWith('.')) : [], []);
});

test('the allowed callables cannot be misused: wrong arguments, a changed array, a cycle, a __proto__ key', () => {
  refused(pickle(Buffer.concat([P.global('numpy', 'dtype'), P.tupleOf([P.int(7)]), P.reduce()])), /not a pickle of numpy arrays: expected numpy\.dtype needs a type code/);
  refused(pickle(Buffer.concat([P.global('numpy.core.multiarray', '_reconstruct'), P.tupleOf([dtype('f4'), P.tupleOf([P.int(0)]), P.bytes(Buffer.from('b'))]), P.reduce()])), /expected numpy\.ndarray as the class/);
  refused(pickle(Buffer.concat([P.global('_codecs', 'encode'), P.tupleOf([P.str('x'), P.str('rot13')]), P.reduce()])), /_codecs\.encode\(text, 'latin1'\)/);
  // BUILD on an array _frombuffer made (protocol 5's path) would change its bytes: frozen.
  const fromBuffer = Buffer.concat([P.global('numpy.core.numeric', '_frombuffer'), P.tupleOf([P.bytes(f32([1])), dtype('f4'), P.tupleOf([P.int(1)]), P.str('C')]), P.reduce()]);
  assert.deepEqual(Array.from(toNumbers(parsePickle(pickle(fromBuffer), 'x') as NdArray, 'x')), [1]);
  refused(pickle(Buffer.concat([fromBuffer, P.dict([['bytes', P.str('x')]]), P.build()])), /not a readable pickle/);
  // A list that holds itself.
  refused(pickle(Buffer.concat([P.list([]), P.put(0), P.get(0), P.append()])), /refers to itself/);
  // A dict key __proto__ stays a key; no object's prototype changes.
  const tree = parsePickle(pickle(P.dict([['__proto__', P.dict([['polluted', P.bool(true)]])]])), 'x');
  assert.ok(tree instanceof Map && tree.has('__proto__'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // Fortran order and structured dtypes are refused with the fix.
  refused(pickle(Buffer.concat([
    P.global('numpy.core.multiarray', '_reconstruct'), P.tupleOf([P.global('numpy', 'ndarray'), P.tupleOf([P.int(0)]), P.bytes(Buffer.from('b'))]), P.reduce(),
    P.tupleOf([P.int(1), P.tupleOf([P.int(1)]), dtype('f4'), P.bool(true), P.bytes(f32([1]))]), P.build(),
  ])), /Fortran order \(pickle C-ordered copies/);
});

test('damaged pickles: truncated, empty, not a pickle, an array shorter than its shape', () => {
  const good = pickle(P.dict([['a', ndarray('f4', [2, 3], f32([0, 1, 2, 3, 4, 5]))]]));
  refused(good.subarray(0, Math.floor(good.length / 2)), /x\.pkl: not a readable pickle .*download it again/);
  refused(Buffer.alloc(0), /not a readable pickle/);
  refused(Buffer.from('name,label\na,1\n'), /not a readable pickle/);
  refused(pickle(ndarray('f4', [2, 3], f32([0, 1, 2]))), /shape \(2, 3\) and dtype f4 needs 24 bytes, the pickle holds 12/);
});
