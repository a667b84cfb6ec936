// Convolution gradients for the wasm backend as one matrix product each, on XNNPACK's matmul,
// with the data rearranged in JavaScript directly on the wasm heap (no copies in or out):
//   filter gradient  dW[KH*KW*Cin, Cout] = cols(x)^T . dy[N*OH*OW, Cout]
//   input gradient   dx = col2im(dy[N*OH*OW, Cout] . W[KH*KW*Cin, Cout]^T)
// where cols(x) holds, for every output position, the KH*KW*Cin input values its window reads
// (zeros where the window hangs over the padding), and col2im adds each column back onto the
// input position it came from. Unlike a stride-1 convolution of zero-dilated dy (the previous
// way), no multiplication by an inserted zero is done: at stride 2 that was three quarters of
// the input gradient's work. NHWC only, dilation 1 (the only kind tfjs differentiates).
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
/** What a kernel function receives (tfjs's own type is internal). */
export interface KernelArgs {
  inputs: Record<string, Info>;
  backend: tf.KernelBackend;
  attrs?: Record<string, unknown>;
}
/** The wasm backend's heap access: outputs allocated on the heap, and views of a tensor's bytes there. */
export interface HeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

export type Kernel = (args: KernelArgs) => Info;

function geometry(xShape: number[], filterShape: number[], attrs: Record<string, unknown>) {
  if (((attrs.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC') throw new Error('the wasm convolution gradients support NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number, 1,
    attrs.pad as 'valid' | 'same' | number, attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  return {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, c: info.inChannels,
    oh: info.outHeight, ow: info.outWidth, cout: info.outChannels,
    kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    top: info.padInfo.top, left: info.padInfo.left,
  };
}
type Geometry = ReturnType<typeof geometry>;

/** The output positions o in [lo, hi) whose window, at offset i, reads a row (or column) inside 0..size-1. */
function validRange(out: number, stride: number, pad: number, i: number, size: number): [number, number] {
  // o * stride - pad + i >= 0  and  o * stride - pad + i <= size - 1
  const lo = Math.max(0, Math.ceil((pad - i) / stride));
  const hi = Math.min(out, Math.floor((size - 1 + pad - i) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * colsT[k, m] = x at the input position that window m reads at offset k (k = (i*KW + j)*C + c,
 * m = (n*OH + oh)*OW + ow), 0 over padding: the transposed im2col matrix, [KH*KW*C, N*OH*OW].
 * Written row by row (contiguously), each row a strided walk through x.
 */
export function im2colTransposed(x: Float32Array, g: Geometry, out: Float32Array): void {
  const m = g.n * g.oh * g.ow;
  const rowStep = g.w * g.c;
  const colStep = g.sw * g.c;
  for (let i = 0; i < g.kh; i++) {
    const [y0, y1] = validRange(g.oh, g.sh, g.top, i, g.h);
    for (let j = 0; j < g.kw; j++) {
      const [x0, x1] = validRange(g.ow, g.sw, g.left, j, g.w);
      for (let c = 0; c < g.c; c++) {
        const row = out.subarray(((i * g.kw + j) * g.c + c) * m, ((i * g.kw + j) * g.c + c + 1) * m);
        if (y0 > 0 || y1 < g.oh || x0 > 0 || x1 < g.ow) row.fill(0);
        for (let n = 0; n < g.n; n++) {
          for (let oy = y0; oy < y1; oy++) {
            let src = (n * g.h + oy * g.sh - g.top + i) * rowStep + (x0 * g.sw - g.left + j) * g.c + c;
            let dst = (n * g.oh + oy) * g.ow + x0;
            for (let ox = x0; ox < x1; ox++, src += colStep) row[dst++] = x[src];
          }
        }
      }
    }
  }
}

/** dx[n, iy, ix, c] += cols[m, (i*KW + j)*C + c] for every window m and offset (i, j): the adjoint of im2col. */
export function col2im(cols: Float32Array, g: Geometry, dx: Float32Array): void {
  const k = g.kh * g.kw * g.c;
  const C = g.c;
  dx.fill(0);
  for (let i = 0; i < g.kh; i++) {
    const [y0, y1] = validRange(g.oh, g.sh, g.top, i, g.h);
    for (let j = 0; j < g.kw; j++) {
      const [x0, x1] = validRange(g.ow, g.sw, g.left, j, g.w);
      const offset = (i * g.kw + j) * C;
      for (let n = 0; n < g.n; n++) {
        for (let oy = y0; oy < y1; oy++) {
          let dst = ((n * g.h + oy * g.sh - g.top + i) * g.w + x0 * g.sw - g.left + j) * C;
          let src = ((n * g.oh + oy) * g.ow + x0) * k + offset;
          for (let ox = x0; ox < x1; ox++, dst += g.sw * C, src += k) {
            for (let c = 0; c < C; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}

export function makeConv2DBackpropFilter(matMul: Kernel, reshape: Kernel): Kernel {
  return (args) => {
    const { inputs: { x, dy }, attrs = {} } = args;
    const backend = args.backend as HeapBackend;
    const filterShape = attrs.filterShape as number[];
    const g = geometry(x.shape, filterShape, attrs);
    const k = g.kh * g.kw * g.c;
    const m = g.n * g.oh * g.ow;
    const cols = backend.makeOutput([1, k, m], 'float32');
    // Views after allocating: growing wasm memory detaches views taken before.
    im2colTransposed(backend.typedArrayFromHeap(x) as Float32Array, g, backend.typedArrayFromHeap(cols) as Float32Array);
    const dy3 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, m, g.cout] } });
    const dw = matMul({ inputs: { a: cols, b: dy3 }, backend, attrs: { transposeA: false, transposeB: false } });
    const out = reshape({ inputs: { x: dw }, backend, attrs: { shape: filterShape } });
    for (const t of [cols, dy3, dw]) backend.disposeData(t.dataId);
    return out;
  };
}

export function makeConv2DBackpropInput(matMul: Kernel, reshape: Kernel, transpose: Kernel): Kernel {
  return (args) => {
    const { inputs: { dy, filter }, attrs = {} } = args;
    const backend = args.backend as HeapBackend;
    const inputShape = attrs.inputShape as number[];
    const g = geometry(inputShape, filter.shape, attrs);
    const k = g.kh * g.kw * g.c;
    const m = g.n * g.oh * g.ow;
    // W as [KH*KW*Cin, Cout], transposed to [Cout, KH*KW*Cin] (small: a copy of the filter).
    const w2 = reshape({ inputs: { x: filter }, backend, attrs: { shape: [k, g.cout] } });
    const wT = transpose({ inputs: { x: w2 }, backend, attrs: { perm: [1, 0] } });
    const wT3 = reshape({ inputs: { x: wT }, backend, attrs: { shape: [1, g.cout, k] } });
    const dy3 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, m, g.cout] } });
    const cols = matMul({ inputs: { a: dy3, b: wT3 }, backend, attrs: { transposeA: false, transposeB: false } });
    const dx = backend.makeOutput(inputShape, 'float32');
    col2im(backend.typedArrayFromHeap(cols) as Float32Array, g, backend.typedArrayFromHeap(dx) as Float32Array);
    for (const t of [w2, wT, wT3, dy3, cols]) backend.disposeData(t.dataId);
    return dx;
  };
}
