// Dense layers and MLPs as closures over named parameters.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';
import { stopGradient } from './ops';
import type { Params } from './params';

export type Activation = 'relu' | 'tanh' | 'gelu' | 'linear';

export function activate(x: tf.Tensor2D, a: Activation): tf.Tensor2D {
  switch (a) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu':
      // tanh approximation; tfjs-core has no gelu op.
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))) as tf.Tensor2D;
    case 'linear':
      return x;
  }
}

/**
 * A layer maps [N, in] to [N, out]. With `frozen` its weights are used through a stop-gradient:
 * the output still passes gradients to x, but the layer's own weights get none (DMIL's
 * adversary and CLUB estimator train against a fixed copy of a network).
 */
export type Layer = (x: tf.Tensor2D, frozen?: boolean) => tf.Tensor2D;

export function dense(params: Params, name: string, inDim: number, outDim: number, rng: Rng, activation: Activation): Layer {
  const w = params.weight(`${name}.w`, [inDim, outDim], activation, rng);
  const b = params.bias(`${name}.b`, outDim, inDim, rng);
  return (x, frozen = false) => activate(tf.add(tf.matMul(x, frozen ? stopGradient(w) : w), frozen ? stopGradient(b) : b), activation);
}

/**
 * Layers of the given sizes; every layer but the last uses `activation`, the last uses
 * `lastActivation` (linear for heads, the backbone activation for representations).
 */
export function mlp(params: Params, name: string, inDim: number, sizes: readonly number[], rng: Rng, activation: Activation, lastActivation: Activation): Layer {
  const layers: Layer[] = [];
  let d = inDim;
  sizes.forEach((size, i) => {
    layers.push(dense(params, `${name}.${i}`, d, size, rng, i === sizes.length - 1 ? lastActivation : activation));
    d = size;
  });
  return (x, frozen) => layers.reduce((h, layer) => layer(h, frozen), x);
}
