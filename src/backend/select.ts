// Chooses and initialises the TensorFlow.js backend: native (GPU, then CPU), then WebGPU on a
// hardware adapter, then wasm, then the pure-JS cpu backend. Native packages are optional dependencies, loaded lazily; any failure
// to load them is recorded as the reason that backend was skipped.
import * as tf from '@tensorflow/tfjs-core';
// The union package registers every op's gradient. tfjs-core's Node bundle registers none, and
// its own dist/register_all_gradients is an ES module with extensionless imports that Node cannot
// load, so the union package (141 MB installed) is the supported way to get them in Node.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { UserError } from '../errors';
import { installWasmKernels, WASM_OVERRIDES } from './wasmKernels';
import { prepareWasmThreads, threadsNote, wasmThreads } from './wasmThreads';
import { findGpuAdapter, installWebGpu, type GpuAdapterReport } from './webgpu';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendReport {
  /** The tfjs backend name in use: tensorflow | wasm | cpu. */
  name: string;
  /** Where it came from, e.g. "@tensorflow/tfjs-node-gpu". */
  source: string;
  /** Backends tried before this one, and why each was not used. */
  skipped: { backend: string; reason: string }[];
  /** Kernel overrides registered by dmil on this backend. */
  overrides: string[];
  /** The GPU adapter, for the webgpu backend. */
  adapter?: GpuAdapterReport;
  /** Threads the wasm backend's kernels run on. */
  threads?: number;
  /** Why more threads were asked for than run (a tfjs update broke what the thread pool relies on). */
  threadsNote?: string;
}

export interface BackendOptions {
  /** Threads for the wasm backend (XNNPACK's pool); 1: the single-threaded build. */
  threads?: number;
}

// Silence tfjs's "install tfjs-node" banner and other console chatter from the library.
tf.env().set('PROD', true);

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 200) ?? 'unknown error';
}

async function tryNative(pkg: string): Promise<void> {
  // Loading registers the 'tensorflow' backend; it throws if libtensorflow (or CUDA) is missing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('backend "tensorflow" failed to initialise');
}

async function useBuiltin(name: 'wasm' | 'cpu', threads: number): Promise<string[]> {
  const restore = name === 'wasm' ? prepareWasmThreads(threads) : () => undefined;
  try {
    if (!(await tf.setBackend(name))) throw new Error(`backend "${name}" failed to initialise`);
    await tf.ready();
  } finally {
    restore();
  }
  if (name === 'wasm') {
    installWasmKernels();
    return [...WASM_OVERRIDES];
  }
  return [];
}

let current: BackendReport | undefined;

/** Selects a backend once per process; later calls with the same choice return the same report. */
export async function selectBackend(choice: BackendChoice = 'auto', options: BackendOptions = {}): Promise<BackendReport> {
  if (current && (choice === 'auto' || choice === current.name)) return current;
  const skipped: BackendReport['skipped'] = [];

  if (choice === 'auto' || choice === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await tryNative(pkg);
        current = { name: 'tensorflow', source: pkg, skipped, overrides: [] };
        return current;
      } catch (e) {
        skipped.push({ backend: pkg, reason: notInstalled(e) ? 'optional native backend, not installed' : firstLine(e) });
      }
    }
    if (choice === 'tensorflow') {
      throw new UserError('the native TensorFlow backend could not be loaded', {
        where: '--backend tensorflow',
        hint: `${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}. @tensorflow/tfjs-node-gpu needs CUDA 11.2, cuDNN 8.1 and a libtensorflow you already have (its install downloads one from a host that now refuses it; TFJS_NODE_BASE_URI points it at your copy: docs/how-to/gpu.md). Without them: --backend webgpu on a GPU, --backend wasm on a CPU`,
      });
    }
  }
  if (choice === 'auto' || choice === 'webgpu') {
    const found = await findGpuAdapter();
    let reason = 'reason' in found ? found.reason : '';
    if (!('reason' in found)) {
      if (found.adapter.software && choice === 'auto') {
        reason = `only a software adapter (${found.adapter.description || found.adapter.device}); auto does not choose it`;
      } else {
        try {
          installWebGpu(found.gpu, found.globals);
          if (!(await tf.setBackend('webgpu'))) throw new Error('backend "webgpu" failed to initialise');
          await tf.ready();
          current = { name: 'webgpu', source: '@tensorflow/tfjs-backend-webgpu on Dawn (webgpu)', skipped, overrides: [], adapter: found.adapter };
          return current;
        } catch (e) {
          reason = firstLine(e);
        }
      }
    }
    skipped.push({ backend: 'webgpu', reason });
    if (choice === 'webgpu') throw new UserError(`the WebGPU backend cannot run here: ${reason}`, { where: '--backend webgpu', hint: 'use a machine with a GPU and its Vulkan driver, or --backend wasm' });
  }
  for (const name of ['wasm', 'cpu'] as const) {
    if (choice !== 'auto' && choice !== name) continue;
    try {
      const overrides = await useBuiltin(name, options.threads ?? 1);
      const note = name === 'wasm' ? threadsNote() : null;
      current = { name, source: name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu', skipped, overrides, ...(name === 'wasm' ? { threads: wasmThreads() } : {}), ...(note ? { threadsNote: note } : {}) };
      return current;
    } catch (e) {
      skipped.push({ backend: name, reason: firstLine(e) });
      if (choice === name) {
        throw new UserError(`backend "${name}" could not be initialised: ${firstLine(e)}`, { where: `--backend ${name}`, hint: 'try --backend cpu' });
      }
    }
  }
  throw new UserError('no TensorFlow.js backend could be initialised', { hint: skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ') });
}

const notInstalled = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' && /Cannot find module '@tensorflow\/tfjs-node/.test((e as Error).message);

/** One line for logs: "wasm (@tensorflow/tfjs-backend-wasm); skipped: ...". */
export function describeBackend(r: BackendReport): string {
  const skipped = r.skipped.length ? `; skipped ${r.skipped.map((s) => `${s.backend} (${s.reason})`).join(', ')}` : '';
  const gpu = r.adapter ? ` (GPU: ${[r.adapter.vendor, r.adapter.architecture, r.adapter.device, r.adapter.description].filter(Boolean).join(' ')})` : '';
  const threads = r.threads !== undefined ? ` on ${r.threads} thread${r.threads === 1 ? '' : 's'}${r.threadsNote ? ` (threads off: ${r.threadsNote})` : ''}` : '';
  return `backend ${r.name} from ${r.source}${threads}${gpu}${skipped}`;
}
