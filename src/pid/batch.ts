// A variant of the neural PID estimator BATCH of Liang, Cheng, Deng, Ling, Morency, Salakhutdinov
// ("Quantifying & Modeling Multimodal Interactions: An Information Decomposition Framework",
// NeurIPS 2023), written from the paper's description. It departs from the authors' code in three
// ways (docs/explanation/method.md, "Independent estimators"): one bounded scalar score per class
// where they learn 10-dimensional embeddings, a fixed number of unrolled Sinkhorn steps
// (pid.batch.sinkhorn_iterations) where they iterate up to 500 times to convergence, and the
// marginals of each batch where they use the training prior. Within a batch of b samples, q is a
// distribution over (x1 of sample i, x2 of sample j, y): a learned tensor
//   A[i, j, y] = exp(s1(x1_i)_y * s2(x2_j)_y),  s_m = 4 tanh(f_m)  (f1, f2 small networks, one output per class)
// projected onto the marginal constraints q(x1_i, y) = p(y | x1_i) / b and q(x2_j, y) = p(y | x2_j) / b
// by unrolled Sinkhorn scaling per class (differentiable), where p(y | x_m) comes from a unimodal
// classifier. f1 and f2 are trained to minimise I_q(X1, X2; Y) over batches of the training split;
// the estimate is the mean over batches of the evaluated split. With I(X_m; Y) and I(X1, X2; Y)
// from the unimodal and joint classifiers' probabilities on the same batches, R, U1, U2 and S
// follow as for the exact estimator.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../rng';
import type { Pid } from './exact';

export interface BatchInputs {
  /** Features [n, d_m] per modality, row-major. */
  x1: Float32Array;
  x2: Float32Array;
  d1: number;
  d2: number;
  /** p(y | x1), p(y | x2), p(y | x1, x2): [n, C] each. */
  p1: Float32Array;
  p2: Float32Array;
  p12: Float32Array;
  classes: number;
}

export interface BatchSettings {
  batchSize: number;
  epochs: number;
  hidden: number;
  lr: number;
  sinkhornIterations: number;
  seed: number;
}

export const BATCH_DEFAULTS: BatchSettings = { batchSize: 128, epochs: 8, hidden: 32, lr: 1e-2, sinkhornIterations: 20, seed: 0 };

const LOG2 = Math.log(2);
const EPS = 1e-12;

interface Net {
  vars: tf.Variable[];
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

function mlp(inDim: number, hidden: number, out: number, rng: Rng): Net {
  // tidy releases the initial tensor; the variable holds its own reference to the data (and tidy keeps variables).
  const u = (fanIn: number, shape: number[]) => tf.tidy(() => tf.variable(tf.tensor(rng.uniformArray(shape.reduce((a, b) => a * b, 1), 1 / Math.sqrt(fanIn)), shape)));
  const w1 = u(inDim, [inDim, hidden]);
  const b1 = u(inDim, [hidden]);
  const w2 = u(hidden, [hidden, out]);
  const b2 = u(hidden, [out]);
  return { vars: [w1, b1, w2, b2], apply: (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2) as tf.Tensor2D };
}

/** Sinkhorn-projected q [b, b, C] of one batch (differentiable in f1, f2). */
function projectedQ(f1: tf.Tensor2D, f2: tf.Tensor2D, p1: tf.Tensor2D, p2: tf.Tensor2D, iterations: number): tf.Tensor3D {
  const b = f1.shape[0];
  // Scores bounded to (-4, 4), so exp of their products stays finite and the Sinkhorn scalings
  // (and their gradients) stay away from 0/0 when a classifier is nearly certain.
  const bound = (f: tf.Tensor2D) => tf.mul(tf.tanh(f), 4) as tf.Tensor2D;
  const logits = tf.mul(tf.expandDims(bound(f1), 1), tf.expandDims(bound(f2), 0)) as tf.Tensor3D; // [b, b, C]
  let q = tf.exp(tf.sub(logits, tf.max(logits))) as tf.Tensor3D;
  const rows = tf.expandDims(tf.div(p1, b), 1); // [b, 1, C]: target sum over j
  const cols = tf.expandDims(tf.div(p2, b), 0); // [1, b, C]: target sum over i
  for (let t = 0; t < iterations; t++) {
    q = tf.mul(q, tf.div(rows, tf.add(tf.sum(q, 1, true), EPS))) as tf.Tensor3D;
    q = tf.mul(q, tf.div(cols, tf.add(tf.sum(q, 0, true), EPS))) as tf.Tensor3D;
  }
  return q;
}

/** I_q(X1, X2; Y) in nats of a [b, b, C] joint. */
function jointInformation(q: tf.Tensor3D): tf.Scalar {
  const qxx = tf.sum(q, 2, true);
  const qy = tf.sum(q, [0, 1], true);
  return tf.sum(tf.mul(q, tf.sub(tf.log(tf.add(q, EPS)), tf.add(tf.log(tf.add(qxx, EPS)), tf.log(tf.add(qy, EPS)))))) as tf.Scalar;
}

/** I(X; Y) in nats within a batch, from p(y | x) of its samples [b, C]. */
function classifierInformation(p: tf.Tensor2D): tf.Scalar {
  const pbar = tf.mean(p, 0, true);
  return tf.mean(tf.sum(tf.mul(p, tf.sub(tf.log(tf.add(p, EPS)), tf.log(tf.add(pbar, EPS)))), 1)) as tf.Scalar;
}

const rowsOf = (a: Float32Array, width: number, idx: Int32Array) => {
  const out = new Float32Array(idx.length * width);
  idx.forEach((r, i) => out.set(a.subarray(r * width, r * width + width), i * width));
  return tf.tensor2d(out, [idx.length, width]);
};

function* batches(indices: Int32Array, size: number): Generator<Int32Array> {
  // Only whole batches: q is defined per batch of b samples.
  for (let s = 0; s + size <= indices.length; s += size) yield indices.subarray(s, s + size);
  if (indices.length < size && indices.length >= 2) yield indices;
}

export interface BatchPid extends Pid {
  I_q: number;
  batches: number;
}

export interface BatchEstimator {
  /** The PID of the samples `evaluate` (indices), in bits (one device read per batch). */
  estimate(evaluate: Int32Array): Promise<BatchPid>;
  dispose(): void;
}

/** Trains f1, f2 on the samples `fit` (indices). */
export function fitBatchEstimator(inp: BatchInputs, fit: Int32Array, settings: Partial<BatchSettings> = {}): BatchEstimator {
  const s = { ...BATCH_DEFAULTS, ...settings };
  const rng = Rng.derive(s.seed, 'pid-batch');
  const C = inp.classes;
  const f1 = mlp(inp.d1, s.hidden, C, rng);
  const f2 = mlp(inp.d2, s.hidden, C, rng);
  const vars = [...f1.vars, ...f2.vars];
  const optimizer = tf.train.adam(s.lr);
  const size = Math.min(s.batchSize, fit.length);
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    const order = rng.shuffle(Int32Array.from(fit));
    for (const idx of batches(order, size)) {
      tf.tidy(() => {
        const x1 = rowsOf(inp.x1, inp.d1, idx);
        const x2 = rowsOf(inp.x2, inp.d2, idx);
        const p1 = rowsOf(inp.p1, C, idx);
        const p2 = rowsOf(inp.p2, C, idx);
        optimizer.minimize(() => jointInformation(projectedQ(f1.apply(x1), f2.apply(x2), p1, p2, s.sinkhornIterations)), false, vars);
      });
    }
  }
  optimizer.dispose();

  return {
    async estimate(evaluate) {
      const sums = { Iq: 0, I1: 0, I2: 0, I12: 0, n: 0 };
      for (const idx of batches(evaluate, Math.min(s.batchSize, evaluate.length))) {
        const values = tf.tidy(() => {
          const p1 = rowsOf(inp.p1, C, idx);
          const p2 = rowsOf(inp.p2, C, idx);
          const q = projectedQ(f1.apply(rowsOf(inp.x1, inp.d1, idx)), f2.apply(rowsOf(inp.x2, inp.d2, idx)), p1, p2, s.sinkhornIterations);
          return tf.stack([jointInformation(q), classifierInformation(p1), classifierInformation(p2), classifierInformation(rowsOf(inp.p12, C, idx))]);
        });
        let read: Float32Array;
        try {
          read = (await values.data()) as Float32Array;
        } finally {
          values.dispose();
        }
        const [Iq, I1, I2, I12] = read;
        sums.Iq += Iq;
        sums.I1 += I1;
        sums.I2 += I2;
        sums.I12 += I12;
        sums.n += 1;
      }
      const bits = (v: number) => v / sums.n / LOG2;
      const [I1, I2, I12] = [bits(sums.I1), bits(sums.I2), bits(sums.I12)];
      // min I_q lies in [max(I1, I2), I12] in theory; the estimate is clamped from below.
      const Iq = Math.max(bits(sums.Iq), I1, I2);
      const pbar = new Float64Array(C);
      evaluate.forEach((r) => { for (let y = 0; y < C; y++) pbar[y] += inp.p12[r * C + y] / evaluate.length; });
      const H = -pbar.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0) / LOG2;
      return { R: I1 + I2 - Iq, U1: Iq - I2, U2: Iq - I1, S: I12 - Iq, H_Y: H, I_X1_Y: I1, I_X2_Y: I2, I_X1X2_Y: I12, I_q: bits(sums.Iq), batches: sums.n };
    },
    dispose: () => tf.dispose(vars),
  };
}

/** Trains f1, f2 on `fit` and estimates the PID on `evaluate` (both sample indices), in bits. */
export async function pidBatch(inp: BatchInputs, fit: Int32Array, evaluate: Int32Array, settings: Partial<BatchSettings> = {}): Promise<BatchPid> {
  const est = fitBatchEstimator(inp, fit, settings);
  try {
    return await est.estimate(evaluate);
  } finally {
    est.dispose();
  }
}
