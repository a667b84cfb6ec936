// A test backend that refuses synchronous reads, as WebGPU does under Node (its readSync needs
// OffscreenCanvas): the cpu backend with `readSync` throwing whenever it is called from outside a
// kernel (`dataSync`, `arraySync`, `bufferSync` on a tensor), while kernels keep reading their
// inputs as the cpu backend does and `await t.data()` works. Loaded before dmil with
// `node --require dist/test/support/refuseSyncReads.js` (or NODE_OPTIONS, so that sweep cells
// inherit it), it takes the name `cpu`: `--backend cpu` then runs every command on it.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export const REFUSAL = 'synchronous device read refused';

type DataId = Parameters<MathBackendCPU['readSync']>[0];

export class RefusingCpuBackend extends MathBackendCPU {
  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    if (tf.engine().state.kernelDepth === 0) {
      throw new Error(`${REFUSAL}: a dataSync/arraySync/bufferSync outside a kernel (WebGPU under Node cannot do it; use await t.data())`);
    }
    return super.readSync(dataId);
  }

  override read(dataId: DataId): ReturnType<MathBackendCPU['read']> {
    return Promise.resolve(super.readSync(dataId));
  }
}

tf.removeBackend('cpu');
tf.registerBackend('cpu', () => new RefusingCpuBackend(), 1);
