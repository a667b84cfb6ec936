// The convolution's filter gradient for the wasm backend as one matrix product on XNNPACK's
// matmul, with the data rearranged directly on the wasm heap (no copies in or out) by dmil's own
// wasm loop (heapLoops.wat):
//   dW[KH*KW*Cin, Cout] = cols(x)^T . dy[N*OH*OW, Cout]
// where cols(x) holds, for every output position, the KH*KW*Cin input values its window reads
// (zeros where the window hangs over the padding). NHWC only, dilation 1 (the only kind tfjs
// differentiates). The input gradient is in wasmConvInputGrad.ts. Also the kernel types shared by
// dmil's wasm overrides.
import * as tf from '@tensorflow/tfjs-core';
import { heapLoops, heapOffset } from './heapLoops';

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

/** The convolution's sizes, strides and leading padding (NHWC, dilation 1). */
export function geometry(xShape: number[], filterShape: number[], attrs: Record<string, unknown>) {
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
export type Geometry = ReturnType<typeof geometry>;

/** The output positions o in [lo, hi) whose window, at offset i, reads a row (or column) inside 0..size-1. */
function validRange(out: number, stride: number, pad: number, i: number, size: number): [number, number] {
  // o * stride - pad + i >= 0  and  o * stride - pad + i <= size - 1
  const lo = Math.max(0, Math.ceil((pad - i) / stride));
  const hi = Math.min(out, Math.floor((size - 1 + pad - i) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/** For each filter offset (i, j), the output rows [y0, y1) and columns [x0, x1) whose window reads inside the input there. */
export function offsetRanges(g: Geometry): Int32Array {
  const ranges = new Int32Array(g.kh * g.kw * 4);
  for (let i = 0; i < g.kh; i++) {
    const [y0, y1] = validRange(g.oh, g.sh, g.top, i, g.h);
    for (let j = 0; j < g.kw; j++) {
      const [x0, x1] = validRange(g.ow, g.sw, g.left, j, g.w);
      ranges.set([y0, y1, x0, x1], (i * g.kw + j) * 4);
    }
  }
  return ranges;
}

/**
 * colsT[k, m] = x at the input position that window m reads at offset k (k = (i*KW + j)*C + c,
 * m = (n*OH + oh)*OW + ow), 0 over padding: the transposed im2col matrix, [KH*KW*C, N*OH*OW],
 * written by heapLoops.wat's im2col_t into `cols` on the heap.
 */
export function im2colTransposed(backend: HeapBackend, x: Info, g: Geometry, cols: Info): void {
  const ranges = backend.makeOutput([g.kh * g.kw * 4], 'int32');
  (backend.typedArrayFromHeap(ranges) as Int32Array).set(offsetRanges(g));
  heapLoops(backend).im2colT(
    heapOffset(backend, x), heapOffset(backend, cols), heapOffset(backend, ranges),
    g.n, g.h, g.w, g.c, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.top, g.left,
  );
  backend.disposeData(ranges.dataId);
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
    im2colTransposed(backend, x, g, cols);
    const dy3 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, m, g.cout] } });
    const dw = matMul({ inputs: { a: cols, b: dy3 }, backend, attrs: { transposeA: false, transposeB: false } });
    const out = reshape({ inputs: { x: dw }, backend, attrs: { shape: filterShape } });
    for (const t of [cols, dy3, dw]) backend.disposeData(t.dataId);
    return out;
  };
}
