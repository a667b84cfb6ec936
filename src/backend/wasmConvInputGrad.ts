// The convolution's input gradient for the wasm backend as stride-1 convolutions on XNNPACK (the
// forward kernel, which runs on the thread pool and never builds an im2col matrix), one per phase
// of the stride. Along one axis, with stride s, padding `top` and kernel K, the input position
// p = q*s + r - top (phase r = (p + top) mod s) receives
//   dx[p] = sum_t dy[q - t] . W[r + s*t]^T,   t = 0 .. T_r - 1,  T_r = ceil((K - r) / s),
// which is a stride-1 correlation of dy with the phase's taps, flipped and with the channels
// swapped. The s*s phases (per 2-D) partition dx, so their outputs are scattered into it with no
// overlap and no multiplication by a zero: a stride-2 3x3 filter splits into 2x2, 2x1, 1x2 and 1x1
// sub-filters. At stride 1 there is one phase, whose output is dx itself.
import * as tf from '@tensorflow/tfjs-core';
import { heapLoops, heapOffset } from './heapLoops';
import { geometry, type HeapBackend, type Kernel } from './wasmConvGrad';

type Info = tf.TensorInfo;

/** One phase along one axis: which taps it uses and which stretch of dy and dx it covers. */
export interface AxisPhase {
  /** The phase: input positions p with (p + pad) mod stride = r. */
  r: number;
  /** Taps of the filter in this phase: kernel indices r, r + s, ...; 0 when the stride exceeds the kernel. */
  taps: number;
  /** The first q (input position q*s + r - pad) inside the input, and how many there are. */
  qMin: number;
  count: number;
  /** dy rows [begin, end) that the phase reads, and the zero padding before and after them. */
  begin: number;
  end: number;
  padBefore: number;
  padAfter: number;
}

/** The phases of one axis of a strided convolution: input size, output size, stride, leading pad, kernel size. */
export function axisPhases(size: number, outSize: number, stride: number, pad: number, kernel: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const taps = r < kernel ? Math.ceil((kernel - r) / stride) : 0;
    const qMin = Math.max(0, Math.ceil((pad - r) / stride));
    const qMax = Math.floor((size - 1 + pad - r) / stride);
    const count = Math.max(0, qMax - qMin + 1);
    // Output q reads dy[q - taps + 1 .. q]; the phase as a whole reads dy[lo .. hi].
    const lo = qMin - taps + 1;
    const hi = qMax;
    const begin = Math.min(Math.max(0, lo), outSize);
    const end = Math.max(begin, Math.min(outSize, hi + 1));
    phases.push({ r, taps, qMin, count, begin, end, padBefore: begin - lo, padAfter: hi + 1 - end });
  }
  return phases;
}

/**
 * The phase's sub-filter [Ty, Tx, Cout, Cin]: F[u, v, o, i] = W[ry + sy*(Ty-1-u), rx + sx*(Tx-1-v), i, o],
 * the phase's taps in reverse order with input and output channels swapped.
 */
export function phaseFilter(w: Float32Array, wShape: number[], py: AxisPhase, px: AxisPhase, sy: number, sx: number, out: Float32Array): void {
  const [, kw, cin, cout] = wShape;
  let dst = 0;
  for (let u = 0; u < py.taps; u++) {
    const i = py.r + sy * (py.taps - 1 - u);
    for (let v = 0; v < px.taps; v++) {
      const j = px.r + sx * (px.taps - 1 - v);
      const base = (i * kw + j) * cin * cout;
      for (let o = 0; o < cout; o++) {
        for (let c = 0; c < cin; c++) out[dst++] = w[base + c * cout + o];
      }
    }
  }
}

/** Conv2DBackpropInput from the stock stride-1 Conv2D, Slice for phases that read only part of dy. */
export function makeConv2DBackpropInput(conv: Kernel, slice: Kernel): Kernel {
  return (args) => {
    const { inputs: { dy, filter }, attrs = {} } = args;
    const backend = args.backend as HeapBackend;
    const inputShape = attrs.inputShape as number[];
    const g = geometry(inputShape, filter.shape, attrs);
    const rows = axisPhases(g.h, g.oh, g.sh, g.top, g.kh);
    const cols = axisPhases(g.w, g.ow, g.sw, g.left, g.kw);
    const phaseOutput = (py: AxisPhase, px: AxisPhase): Info => {
      const sub = backend.makeOutput([py.taps, px.taps, g.cout, g.c], 'float32');
      phaseFilter(backend.typedArrayFromHeap(filter) as Float32Array, filter.shape, py, px, g.sh, g.sw, backend.typedArrayFromHeap(sub) as Float32Array);
      const whole = py.begin === 0 && py.end === g.oh && px.begin === 0 && px.end === g.ow;
      const input = whole ? dy : slice({ inputs: { x: dy }, backend, attrs: { begin: [0, py.begin, px.begin, 0], size: [g.n, py.end - py.begin, px.end - px.begin, g.cout] } });
      const out = conv({
        inputs: { x: input, filter: sub }, backend,
        attrs: { strides: [1, 1], pad: [[0, 0], [py.padBefore, py.padAfter], [px.padBefore, px.padAfter], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1] },
      });
      backend.disposeData(sub.dataId);
      if (!whole) backend.disposeData(input.dataId);
      return out;
    };
    // Stride 1: one phase covering every position, so its output is dx.
    if (rows.length === 1 && cols.length === 1 && rows[0].taps > 0 && cols[0].taps > 0 && rows[0].count === g.h && cols[0].count === g.w) {
      return phaseOutput(rows[0], cols[0]);
    }
    const dx = backend.makeOutput(inputShape, 'float32');
    // Positions in a phase with no taps (a stride larger than the kernel), or whose windows all
    // fall past dy's end, get no gradient.
    const empty = (p: AxisPhase) => p.taps === 0 || p.begin === p.end;
    if (rows.some(empty) || cols.some(empty)) (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
    for (const py of rows) {
      for (const px of cols) {
        if (empty(py) || empty(px) || py.count === 0 || px.count === 0) continue;
        const out = phaseOutput(py, px);
        // The phase's output [N, Qy, Qx, C] lands on dx's rows firstY, firstY + sh, ... (columns likewise).
        const firstY = py.qMin * g.sh + py.r - g.top;
        const firstX = px.qMin * g.sw + px.r - g.left;
        heapLoops(backend).scatterPhase(heapOffset(backend, out), heapOffset(backend, dx), g.n, g.h, g.w, g.c, py.count, px.count, firstY, firstX, g.sh, g.sw);
        backend.disposeData(out.dataId);
      }
    }
    return dx;
  };
}
