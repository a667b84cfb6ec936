// Time per kernel: every kernel registered for a backend is wrapped with a timer for the length
// of `work`, then restored. wasm kernels run synchronously, so the time around the call is the
// kernel's (cpu-side dispatch included). Used by the bench's per-kernel profiles.
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime { kernel: string; calls: number; ms: number }

export async function profileKernels(backend: string, work: () => Promise<void> | void): Promise<KernelTime[]> {
  const kernels = tf.getKernelsForBackend(backend);
  const times = new Map<string, KernelTime>();
  let depth = 0;
  for (const k of kernels) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => {
        // Kernels that call other kernels through the registry count only at the outermost level.
        depth++;
        const t = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          if (depth === 0) {
            const e = times.get(k.kernelName) ?? { kernel: k.kernelName, calls: 0, ms: 0 };
            e.calls++;
            e.ms += performance.now() - t;
            times.set(k.kernelName, e);
          }
        }
      }) as tf.KernelFunc,
    });
  }
  try {
    await work();
  } finally {
    for (const k of kernels) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return [...times.values()].sort((a, b) => b.ms - a.ms);
}
