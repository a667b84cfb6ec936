// dmil's wasm loops (heapLoops.wat, assembled by scripts/build-wasm.js at `npm run build`),
// instantiated on the wasm backend's own memory so that they read and write tensors in place: the
// filter gradient's im2col, the scatter of the input gradient's stride phases, and column sums.
// One instance
// per memory: the single-threaded build exports its memory, the threaded build imports a shared one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';

/** The loops, on byte offsets into the wasm heap (see heapLoops.wat for the layouts). */
export interface HeapLoops {
  im2colT(x: number, out: number, ranges: number, n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  scatterPhase(out: number, dx: number, n: number, h: number, w: number, c: number, countY: number, countX: number, firstY: number, firstX: number, sy: number, sx: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
}

// The WebAssembly global's few members used here (tsconfig's libs carry no WebAssembly types).
interface WasmMemory { readonly buffer: ArrayBuffer | SharedArrayBuffer }
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

interface WasmInternals {
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

const instances = new WeakMap<WasmMemory, HeapLoops>();

/** The loops on this wasm backend's memory. */
export function heapLoops(backend: tf.KernelBackend): HeapLoops {
  const { wasm } = backend as unknown as WasmInternals;
  const memory = wasm.wasmMemory ?? wasm.asm?.memory;
  if (!memory) throw new Error('the wasm backend exposes no memory for dmil\'s loops');
  const known = instances.get(memory);
  if (known) return known;
  const file = path.join(__dirname, memory.buffer instanceof SharedArrayBuffer ? 'heapLoops.shared.wasm' : 'heapLoops.wasm');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build, which assembles it from heapLoops.wat`);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { env: { memory } });
  const loops: HeapLoops = {
    im2colT: exports.im2col_t as HeapLoops['im2colT'],
    scatterPhase: exports.scatter_phase as HeapLoops['scatterPhase'],
    columnSums: exports.column_sums as HeapLoops['columnSums'],
  };
  instances.set(memory, loops);
  return loops;
}

/** Where a tensor's bytes start on the wasm heap. */
export function heapOffset(backend: tf.KernelBackend, info: tf.TensorInfo): number {
  const data = (backend as unknown as WasmInternals).dataIdMap.get(info.dataId);
  if (!data) throw new Error('tensor not on the wasm backend');
  return data.memoryOffset;
}
