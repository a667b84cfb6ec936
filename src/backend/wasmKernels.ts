// Kernel overrides for the wasm backend (tfjs 4.22):
// - BatchMatMul: XNNPACK's fast path is taken only when neither operand is transposed; with a
//   transpose it falls back to a scalar loop (~15x slower). Every backward pass of a dense layer
//   transposes, so we transpose explicitly (a cheap copy) and call the stock kernel untransposed.
// - Conv2DBackpropFilter: missing in wasm, so conv training fails. The filter gradient is itself
//   a convolution: channels become the batch, the batch becomes the channels, and the forward
//   stride becomes the dilation of the "filter" (dy).
// Both are tested against the cpu backend, values and gradients (test/wasmKernels.test.ts).
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
interface KernelArgs {
  inputs: Record<string, Info>;
  backend: tf.KernelBackend;
  attrs?: Record<string, unknown>;
}

function kernelOf(name: string): (args: KernelArgs) => Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as (args: KernelArgs) => Info;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function makeBatchMatMul(stock: (args: KernelArgs) => Info) {
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

function makeConv2DBackpropFilter() {
  const transpose = kernelOf('Transpose');
  const pad = kernelOf('PadV2');
  const conv2d = kernelOf('Conv2D');
  const slice = kernelOf('Slice');
  return (args: KernelArgs): Info => {
    const { inputs, backend, attrs = {} } = args;
    const { x, dy } = inputs;
    const filterShape = attrs.filterShape as [number, number, number, number];
    const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
    if (dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter override supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filterShape,
      attrs.strides as [number, number] | number, 1,
      attrs.pad as 'valid' | 'same' | number,
      attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const { top, bottom, left, right } = info.padInfo;
    const temps: Info[] = [];
    const keep = (t: Info) => (temps.push(t), t);
    // xT: [Cin, H+pads, W+pads, N]; dyT: [OH, OW, N, Cout]
    const xPadded = top || bottom || left || right
      ? keep(pad({ inputs: { x }, backend, attrs: { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 } }))
      : x;
    const xT = keep(transpose({ inputs: { x: xPadded }, backend, attrs: { perm: [3, 1, 2, 0] } }));
    const dyT = keep(transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }));
    const full = keep(conv2d({
      inputs: { x: xT, filter: dyT }, backend,
      attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth] },
    }));
    // full: [Cin, >=KH, >=KW, Cout]; rows past the kernel come from padding and are dropped.
    const [kh, kw, cin, cout] = filterShape;
    const cropped = full.shape[1] === kh && full.shape[2] === kw
      ? full
      : keep(slice({ inputs: { x: full }, backend, attrs: { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] } }));
    const out = transpose({ inputs: { x: cropped }, backend, attrs: { perm: [1, 2, 0, 3] } });
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
}

let installed: (() => void) | undefined;

/**
 * Registers the overrides on the wasm backend. Call after `tf.setBackend('wasm')` has resolved.
 * Returns a function that restores the stock kernels (used by the benchmark to compare).
 */
export function installWasmKernels(): () => void {
  if (installed) return installed;
  const stockMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!stockMatMul) throw new Error('wasm backend has no BatchMatMul kernel');
  const hadFilterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul', backendName: 'wasm',
    kernelFunc: makeBatchMatMul(stockMatMul.kernelFunc as unknown as (a: KernelArgs) => Info) as unknown as tf.KernelFunc,
  });
  if (!hadFilterGrad) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter', backendName: 'wasm',
      kernelFunc: makeConv2DBackpropFilter() as unknown as tf.KernelFunc,
    });
  }
  installed = () => {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(stockMatMul);
    if (!hadFilterGrad) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    installed = undefined;
  };
  return installed;
}
