// Kernel overrides for the wasm backend (tfjs 4.22):
// - BatchMatMul: XNNPACK's fast path is taken only when neither operand is transposed; with a
//   transpose it falls back to a scalar loop (~15x slower). Every backward pass of a dense layer
//   transposes, so we transpose explicitly (a cheap copy) and call the stock kernel untransposed.
// - Conv2DBackpropFilter: missing in wasm, so conv training fails. It is one matrix product on
//   XNNPACK after an im2col on the wasm heap (wasmConvGrad.ts).
// - Conv2DBackpropInput: stock wasm has it, as a scalar loop that took ~60% of a conv training
//   step. It is XNNPACK's stride-1 convolution, once per phase of the stride (wasmConvInputGrad.ts),
//   which runs on the thread pool like the forward convolution.
// - Conv2D: stock wasm returns zeros when a stride exceeds the kernel size (tensorflow/tfjs#8405,
//   #5907). Such a convolution equals one whose filter is zero-padded up to the stride, with the
//   input padded at the far edge by the same amount, which XNNPACK computes correctly.
// - Slice and SplitV: stock wasm first copies the whole input out of wasm memory (readSync) for
//   every slice, so splitting a vector into n parts copies it n times (1.6 ms of a 6.3 ms MLP
//   step went to two splits). A contiguous slice needs only a view of its own bytes; other
//   slices go to the stock kernel.
// - Sum over all but the last axes (every bias gradient): stock wasm first transposes the reduced
//   axes innermost, a copy of the whole input. A loop over the rows (heapLoops.wat) adds in the
//   same order, so the sums are the same to the bit, without the copy.
// - Identity: stock wasm copies the tensor's bytes, and tfjs calls it for every tensor it saves
//   for the backward pass (78 times a conv training step, 414-669 times a DMIL step). Tensor data
//   is never written in place, so the override shares it and counts a reference, as tfjs's cpu
//   and webgl backends do.
// All are tested against the cpu backend, values and gradients (test/wasmKernels.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { heapLoops, heapOffset } from './heapLoops';
import { makeConv2DBackpropFilter, type HeapBackend, type Kernel, type KernelArgs } from './wasmConvGrad';
import { makeConv2DBackpropInput } from './wasmConvInputGrad';

type Info = tf.TensorInfo;

function kernelOf(name: string): Kernel {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as Kernel;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function makeBatchMatMul(stock: Kernel) {
  const transpose = kernelOf('Transpose');
  return (args: KernelArgs): Info => {
    const { inputs, backend, attrs = {} } = args;
    let { a, b } = inputs;
    const temps: Info[] = [];
    if (attrs.transposeA) {
      a = transpose({ inputs: { x: a }, backend, attrs: { perm: swapLastTwo(a.shape.length) } });
      temps.push(a);
    }
    if (attrs.transposeB) {
      b = transpose({ inputs: { x: b }, backend, attrs: { perm: swapLastTwo(b.shape.length) } });
      temps.push(b);
    }
    const out = stock({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
}

function makeConv2D(stock: Kernel) {
  const pad = kernelOf('PadV2');
  return (args: KernelArgs): Info => {
    const { inputs, backend, attrs = {} } = args;
    const { x, filter } = inputs;
    const [kh, kw] = filter.shape;
    const strides = attrs.strides as [number, number] | number;
    const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
    const dilations = attrs.dilations as [number, number] | number | undefined;
    const dilated = dilations !== undefined && (typeof dilations === 'number' ? dilations !== 1 : dilations.some((d) => d !== 1));
    if ((sh <= kh && sw <= kw) || dilated || ((attrs.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC') return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number], [sh, sw], 1,
      attrs.pad as 'valid' | 'same' | number, attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const eh = Math.max(sh - kh, 0);
    const ew = Math.max(sw - kw, 0);
    const bigFilter = pad({ inputs: { x: filter }, backend, attrs: { paddings: [[0, eh], [0, ew], [0, 0], [0, 0]], constantValue: 0 } });
    const { top, bottom, left, right } = info.padInfo;
    const out = stock({
      inputs: { x, filter: bigFilter }, backend,
      attrs: { ...attrs, pad: [[0, 0], [top, bottom + eh], [left, right + ew], [0, 0]], dimRoundingMode: undefined },
    });
    backend.disposeData(bigFilter.dataId);
    return out;
  };
}


function makeSlice(stock: Kernel) {
  const fast = (x: Info, begin: number[], size: number[], backend: HeapBackend): Info | undefined => {
    if (x.dtype === 'string' || !tf.slice_util.isSliceContinous(x.shape, begin, size)) return undefined;
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    // Allocate first: allocation may grow wasm memory, which detaches views taken before it.
    const out = backend.makeOutput(size, x.dtype);
    const count = tf.util.sizeFromShape(size);
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(offset, offset + count));
    return out;
  };
  const slice = (args: KernelArgs): Info => {
    const { inputs: { x }, attrs = {} } = args;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    return fast(x, begin, size, args.backend as HeapBackend) ?? stock(args);
  };
  const splitV = (args: KernelArgs): Info[] => {
    const { inputs: { x }, attrs = {} } = args;
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.TensorInfo as tf.Tensor, attrs.numOrSizeSplits as number[] | number, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const size = [...x.shape];
      size[axis] = part;
      const out = slice({ inputs: { x }, backend: args.backend, attrs: { begin: [...begin], size } });
      begin[axis] += part;
      return out;
    });
  };
  return { slice, splitV };
}

function makeSum(stock: Kernel) {
  return (args: KernelArgs): Info => {
    const { inputs: { x }, attrs = {} } = args;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const leading = axes.length < rank && [...axes].sort((a, b) => a - b).every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return stock(args);
    const backend = args.backend as HeapBackend;
    const kept = x.shape.slice(axes.length);
    const cols = tf.util.sizeFromShape(kept);
    const out = backend.makeOutput(attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    if (cols > 0) heapLoops(backend).columnSums(heapOffset(backend, x), heapOffset(backend, out), tf.util.sizeFromShape(x.shape) / cols, cols);
    return out;
  };
}

function makeIdentity(stock: Kernel) {
  return (args: KernelArgs): Info => {
    const { inputs: { x } } = args;
    if (x.dtype === 'string') return stock(args);
    (args.backend as HeapBackend & { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** What installWasmKernels replaces, for the log and meta.json. */
export const WASM_OVERRIDES = [
  'BatchMatMul (explicit transpose, fast path)', 'Conv2DBackpropFilter (im2col + matrix product)',
  'Conv2DBackpropInput (stride-1 convolution per stride phase)', 'Conv2D (stride > kernel fix)',
  'Slice and SplitV (no copy of the whole input)', 'Sum over leading axes (no transpose)', 'Identity (shares the data)',
];

let installed: (() => void) | undefined;

/**
 * Registers the overrides on the wasm backend. Call after `tf.setBackend('wasm')` has resolved.
 * Returns a function that restores the stock kernels (used by the benchmark to compare).
 */
export function installWasmKernels(): () => void {
  if (installed) return installed;
  // Every stock kernel an override calls is taken before any is replaced.
  const [matMul, conv, slice, sum, identity] = ['BatchMatMul', 'Conv2D', 'Slice', 'Sum', 'Identity'].map(kernelOf);
  const replaced: { name: string; prior?: tf.KernelConfig }[] = [];
  const replace = (name: string, kernel: Kernel | ((args: KernelArgs) => Info[])) => {
    const prior = tf.getKernel(name, 'wasm');
    if (prior) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc });
    replaced.push({ name, prior });
  };
  replace('BatchMatMul', makeBatchMatMul(matMul));
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) replace('Conv2DBackpropFilter', makeConv2DBackpropFilter(matMul, kernelOf('Reshape')));
  replace('Conv2DBackpropInput', makeConv2DBackpropInput(conv, slice));
  // The backward overrides above call the stock Conv2D; only user-facing convolutions need the fix.
  replace('Conv2D', makeConv2D(conv));
  replace('Identity', makeIdentity(identity));
  replace('Sum', makeSum(sum));
  const fastSlicing = makeSlice(slice);
  replace('Slice', fastSlicing.slice);
  replace('SplitV', fastSlicing.splitV);
  installed = () => {
    for (const { name, prior } of replaced.reverse()) {
      tf.unregisterKernel(name, 'wasm');
      if (prior) tf.registerKernel(prior);
    }
    installed = undefined;
  };
  return installed;
}
