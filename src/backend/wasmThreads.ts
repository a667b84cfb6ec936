// The threaded SIMD build of TensorFlow.js's wasm backend, in Node. tfjs 4.22 turns threads off
// under Node (tensorflow/tfjs#3830: its Emscripten glue starts each thread from a blob: URL,
// which Node's worker_threads cannot load). Here the glue is given what it needs:
//   - the blobs tfjs builds (the worker script, and the module factory each worker imports) are
//     recorded as text when created;
//   - `Worker`, which the glue takes from the global scope, starts a worker_threads Worker from
//     that text (eval), with the factory defined up front, so no URL is ever loaded;
//   - workers are unreferenced, so a finished command exits although its threads wait for work;
//   - the pool size: the wasm module sizes XNNPACK's thread pool from the logical core count it
//     sees, halved (it assumes two hyper-threads per core), so during start-up it is shown twice
//     the threads wanted.
// XNNPACK splits a matrix product or convolution by output tiles, each summed by one thread in
// the same order, so results do not depend on the thread count (checked by the tests).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** Variables the factory's text refers to from the tfjs bundle's scope: its requires, as the bundle names them. */
const BUNDLE_REQUIRES: [string, string][] = [['require$$0', 'fs'], ['require$$1', 'path'], ['require$$3', 'perf_hooks'], ['require$$4', 'os']];
const FACTORY_SCOPE = `var ${BUNDLE_REQUIRES.map(([name, mod]) => `${name}=require('${mod}')`).join(',')},commonjsGlobal=globalThis;\n`;

/**
 * What this file relies on in tfjs-backend-wasm's Node bundle, each as a text the bundle must
 * contain. A tfjs update that changes one of them turns threads off (with a note) instead of
 * crashing; test/threads.test.ts fails on it, so the update shows up in CI first.
 */
export const BUNDLE_INTERNALS: [string, string][] = [
  ['the threaded factory handed to the glue as a blob', 'new Blob(["var WasmBackendModuleThreadedSimd = " +'],
  ...BUNDLE_REQUIRES.map(([name, mod]): [string, string] => [`the bundle's require of ${mod} named ${name}`, `var ${name} = require('${mod}');`]),
  ['the bundle\'s global named commonjsGlobal', 'var commonjsGlobal ='],
  ['the glue sizing its pool from os.cpus()', 'require$$4.cpus().length'],
  ['the worker script loading the factory with importScripts', 'importScripts(objectUrl)'],
  ['the WASM_HAS_MULTITHREAD_SUPPORT flag', "registerFlag('WASM_HAS_MULTITHREAD_SUPPORT'"],
];

/** Why the thread pool cannot be set up with this tfjs, or null. `bundle`: the Node bundle's text (read when not given). */
export function threadSupportProblem(bundle?: string): string | null {
  let text = bundle;
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  if (text === undefined) {
    try {
      text = fs.readFileSync(path.join(dist, 'tf-backend-wasm.node.js'), 'utf8');
    } catch {
      return 'tfjs-backend-wasm has no Node bundle (dist/tf-backend-wasm.node.js)';
    }
  }
  if (!fs.existsSync(path.join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'))) return 'tfjs-backend-wasm has no threaded SIMD build (dist/tfjs-backend-wasm-threaded-simd.wasm)';
  const missing = BUNDLE_INTERNALS.find(([, needle]) => !text!.includes(needle));
  return missing ? `this tfjs-backend-wasm no longer has ${missing[0]}, which dmil's wasm threads rely on` : null;
}
/** After the worker script: blob: URLs (the factory) are already loaded; anything else as the script would. */
const IMPORT_SHIM = "\n;(function(){var load=globalThis.importScripts;globalThis.importScripts=function(f){if(String(f).startsWith('blob:'))return;return load(f)};})();\n";

// The os module itself (an `import * as` would be a copy): tfjs's glue reads os.cpus() from it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const os = require('node:os') as { cpus: () => unknown[] };

let installed = false;
/** Why threads were asked for and not set up (a tfjs update), or null. */
let threadsOff: string | null = null;

/** Why the threads asked for run on one thread, if they do. */
export const threadsNote = (): string | null => threadsOff;

/**
 * Prepares the threaded build for `threads` threads; call before `tf.setBackend('wasm')`, and
 * call the returned function once it has resolved. With 1 thread nothing changes (the
 * single-threaded SIMD build, as Node gets by default).
 */
export function prepareWasmThreads(threads: number): () => void {
  if (threads <= 1 || installed) return () => undefined;
  threadsOff = threadSupportProblem();
  if (threadsOff) return () => undefined;
  installed = true;
  const blobs: string[] = [];
  const byUrl = new Map<string, string>();
  const OriginalBlob = globalThis.Blob;
  class RecordedBlob extends OriginalBlob {
    readonly text_: string;
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const parts = args[0];
      this.text_ = (parts ?? []).map(String).join('');
      blobs.push(this.text_);
    }
  }
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob: Blob) => {
    const url = createObjectURL(blob);
    if (blob instanceof RecordedBlob) byUrl.set(url, blob.text_);
    return url;
  };
  class ThreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const script = byUrl.get(String(url));
      const factory = blobs.find((b) => b.startsWith('var WasmBackendModuleThreadedSimd'));
      if (script === undefined || factory === undefined) {
        super(url, options);
        return;
      }
      super(`${FACTORY_SCOPE}${factory};\n${script}${IMPORT_SHIM}`, { ...options, eval: true });
      this.unref();
      // The glue references a worker while it runs a thread; a pool thread runs for good.
      this.ref = () => undefined;
    }
  }
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => ThreadWorker, set: () => undefined });
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  globalThis.Blob = RecordedBlob;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  return () => {
    os.cpus = cpus;
    globalThis.Blob = OriginalBlob;
  };
}

/** Threads XNNPACK runs on, once the wasm backend is ready. */
export function wasmThreads(): number {
  return getThreadsCount();
}
