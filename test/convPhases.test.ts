// The stride phases of the wasm input gradient (src/backend/wasmConvInputGrad.ts) against brute
// force: along one axis, input position p receives dy[oy] . W[i] for every (oy, i) with
// oy*s - pad + i = p. The phases must partition the positions, and each phase's taps, dy stretch
// and padding must reproduce exactly those pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { axisPhases } from '../src/backend/wasmConvInputGrad';

function bruteForce(size: number, out: number, s: number, pad: number, k: number): Map<number, string[]> {
  const pairs = new Map<number, string[]>();
  for (let p = 0; p < size; p++) pairs.set(p, []);
  for (let oy = 0; oy < out; oy++) {
    for (let i = 0; i < k; i++) {
      const p = oy * s - pad + i;
      if (p >= 0 && p < size) pairs.get(p)!.push(`${oy}:${i}`);
    }
  }
  return pairs;
}

/** The (dy row, kernel index) pairs the phase's stride-1 convolution sums for each input position it writes. */
function fromPhases(size: number, out: number, s: number, pad: number, k: number): Map<number, string[]> {
  const pairs = new Map<number, string[]>();
  for (const ph of axisPhases(size, out, s, pad, k)) {
    for (let a = 0; a < ph.count; a++) {
      const p = (ph.qMin + a) * s + ph.r - pad;
      assert.ok(!pairs.has(p), `position ${p} is in two phases`);
      const got: string[] = [];
      // Output a reads padded rows a .. a + taps - 1; padded row t is dy row begin + t - padBefore.
      for (let u = 0; u < ph.taps; u++) {
        const row = ph.begin + a + u - ph.padBefore;
        if (row >= ph.begin && row < ph.end) got.push(`${row}:${ph.r + s * (ph.taps - 1 - u)}`);
      }
      assert.ok(a + ph.taps - 1 < ph.end - ph.begin + ph.padBefore + ph.padAfter, 'the last output reads past the padded input');
      pairs.set(p, got);
    }
  }
  return pairs;
}

test('input-gradient phases: every input position gets exactly the (dy row, tap) pairs of the strided convolution', () => {
  let checked = 0;
  for (const s of [1, 2, 3, 4]) {
    for (const k of [1, 2, 3, 5]) {
      for (const size of [1, 5, 8, 9, 14]) {
        for (const mode of ['same', 'valid'] as const) {
          if (mode === 'valid' && size < k) continue;
          const info = tf.backend_util.computeConv2DInfo([1, size, 1, 1], [k, 1, 1, 1], [s, 1], 1, mode);
          const [out, pad] = [info.outHeight, info.padInfo.top];
          const want = bruteForce(size, out, s, pad, k);
          const got = fromPhases(size, out, s, pad, k);
          for (let p = 0; p < size; p++) {
            const expected = [...want.get(p)!].sort();
            assert.deepEqual([...(got.get(p) ?? [])].sort(), expected, `s=${s} k=${k} size=${size} ${mode}: position ${p}`);
          }
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 100);
});
