// A GRU encoder for sequences [T, D], the encoder MultiBench and I2MoE use on the affect
// benchmarks: `layers` stacked GRUs of `units` each, then the last hidden state (or the mean over
// time) through a dense layer to `out`. The cell is PyTorch's nn.GRU (gates r, z, n in that order):
//   r = sigmoid(x W_ir + b_ir + h W_hr + b_hr),  z = sigmoid(x W_iz + b_iz + h W_hz + b_hz),
//   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)),  h' = (1 - z) * n + z * h,  h_0 = 0,
// and with model.init torch every weight and bias starts uniform in +-1/sqrt(units), as nn.GRU.
import * as tf from '@tensorflow/tfjs-core';
import type { BackboneConfig } from '../config/schema';
import type { Rng } from '../rng';
import { dense } from './layers';
import { initialWeights, type Params } from './params';

export interface GruEncoder {
  forward: (x: tf.Tensor2D) => tf.Tensor2D;
  outDim: number;
}

export function gruEncoder(params: Params, name: string, steps: number, features: number, cfg: BackboneConfig, rng: Rng): GruEncoder {
  const H = cfg.units;
  const start = (shape: number[]) => (params.init === 'torch' ? rng.uniformArray(shape.reduce((a, b) => a * b, 1), 1 / Math.sqrt(H)) : initialWeights(params.init, shape, 'tanh', rng));
  const cells = Array.from({ length: cfg.layers }, (_, l) => {
    const inDim = l === 0 ? features : H;
    return {
      wi: params.add(`${name}.gru${l}.w_ih`, [inDim, 3 * H], start([inDim, 3 * H])),
      wh: params.add(`${name}.gru${l}.w_hh`, [H, 3 * H], start([H, 3 * H])),
      bi: params.add(`${name}.gru${l}.b_ih`, [3 * H], params.init === 'torch' ? start([3 * H]) : new Float32Array(3 * H)),
      bh: params.add(`${name}.gru${l}.b_hh`, [3 * H], params.init === 'torch' ? start([3 * H]) : new Float32Array(3 * H)),
      inDim,
    };
  });
  const head = dense(params, `${name}.dense`, H, cfg.out, rng, cfg.activation);
  return {
    forward: (x) => {
      const batch = x.shape[0];
      let seq = tf.reshape(x, [batch, steps, features]) as tf.Tensor3D;
      let outputs: tf.Tensor2D[] = [];
      for (const c of cells) {
        // The input projections of every step at once; the recurrence step by step.
        const gi = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [batch * steps, c.inDim]) as tf.Tensor2D, c.wi), c.bi), [batch, steps, 3 * H]);
        const perStep = tf.unstack(gi, 1) as tf.Tensor2D[];
        let h = tf.zeros([batch, H]) as tf.Tensor2D;
        outputs = perStep.map((g) => {
          h = gruStep(g, h, c.wh as tf.Tensor2D, c.bh as tf.Tensor1D, H);
          return h;
        });
        seq = tf.stack(outputs, 1) as tf.Tensor3D;
      }
      const pooled = cfg.pool === 'last' ? outputs[outputs.length - 1] : (tf.mean(seq, 1) as tf.Tensor2D);
      return head(pooled);
    },
    outDim: cfg.out,
  };
}

/** One step of the cell: `gi` = x W_ih + b_ih for this step [B, 3H], `h` the previous state [B, H]. */
export function gruStep(gi: tf.Tensor2D, h: tf.Tensor2D, wh: tf.Tensor2D, bh: tf.Tensor1D, H: number): tf.Tensor2D {
  const gh = tf.add(tf.matMul(h, wh), bh) as tf.Tensor2D;
  const [ir, iz, inn] = tf.split(gi, [H, H, H], 1);
  const [hr, hz, hn] = tf.split(gh, [H, H, H], 1);
  const r = tf.sigmoid(tf.add(ir, hr));
  const z = tf.sigmoid(tf.add(iz, hz));
  const n = tf.tanh(tf.add(inn, tf.mul(r, hn)));
  return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
}
