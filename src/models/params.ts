// A model's parameters: named tf.Variables created from the seeded Rng, so the initial weights
// are a function of the seed alone. Names are logical ("joint.head.0.w"); tfjs's own variable
// names are left automatic so several models can live in one process.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';

/**
 * How weights and biases start (`model.init`):
 *   torch:  weights and biases uniform in +-1/sqrt(fan_in), as PyTorch's nn.Linear and nn.Conv*;
 *   he:     He-normal weights where a ReLU/GELU follows, Glorot-normal elsewhere, zero biases
 *           (dmil 0.1's initialisation);
 *   glorot: Glorot-normal weights, zero biases.
 */
import type { InitScheme } from '../config/primitives';

export type { InitScheme };

/** The activation that follows a weight: it decides He or Glorot under the `he` scheme. */
export type FollowedBy = 'relu' | 'gelu' | 'tanh' | 'linear';

/** fan_in of a weight [..., out]: every axis but the last (input features, or kernel x channels). */
export const fanInOf = (shape: readonly number[]): number => (shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0]);

export function initialWeights(scheme: InitScheme, shape: readonly number[], followedBy: FollowedBy, rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const fanIn = fanInOf(shape);
  const fanOut = shape[shape.length - 1];
  if (scheme === 'torch') return rng.uniformArray(size, 1 / Math.sqrt(fanIn));
  const he = scheme === 'he' && (followedBy === 'relu' || followedBy === 'gelu');
  return rng.normalArray(size, he ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut)));
}

export function initialBiases(scheme: InitScheme, size: number, fanIn: number, rng: Rng): Float32Array {
  return scheme === 'torch' ? rng.uniformArray(size, 1 / Math.sqrt(fanIn)) : new Float32Array(size);
}

export class Params {
  private readonly vars = new Map<string, tf.Variable>();
  /** Names of state: values kept with the model but not trained by gradients, whose shape may follow the data (QMF's loss history). */
  private readonly state = new Set<string>();

  constructor(readonly init: InitScheme = 'torch') {}

  /** A weight of `shape` [..., in, out], initialised by the model's scheme. */
  weight(name: string, shape: number[], followedBy: FollowedBy, rng: Rng): tf.Variable {
    return this.add(name, shape, initialWeights(this.init, shape, followedBy, rng));
  }

  /** A bias of `size` for a layer with `fanIn` inputs, initialised by the model's scheme. */
  bias(name: string, size: number, fanIn: number, rng: Rng): tf.Variable {
    return this.add(name, [size], initialBiases(this.init, size, fanIn, rng));
  }

  /** A parameter with given initial values. */
  add(name: string, shape: number[], values: Float32Array): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, true);
    initial.dispose(); // the variable holds its own reference to the data
    this.vars.set(name, v);
    return v;
  }

  /**
   * State of `shape`, zeros (or `values`) to start: saved and restored with the parameters, not counted among
   * them, and taking the shape of what is assigned (state sized by one dataset's rows may be
   * read into a model built for another). Read it with `get` each time, not once.
   */
  addState(name: string, shape: number[], values = new Float32Array(shape.reduce((a, b) => a * b, 1))): tf.Variable {
    this.state.add(name);
    return this.add(name, shape, values);
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  /** Names in creation order, optionally only those under `prefixes`. */
  names(prefixes?: readonly string[]): string[] {
    const all = [...this.vars.keys()];
    return prefixes ? all.filter((n) => prefixes.some((p) => n === p || n.startsWith(`${p}.`))) : all;
  }

  /** The variables themselves, by name (read-only use). */
  entries(names: readonly string[] = this.names()): [string, tf.Variable][] {
    return names.map((n) => [n, this.get(n)]);
  }

  /** Copies of the current values (for best-epoch snapshots and checkpoints). */
  snapshot(names: readonly string[] = this.names()): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.clone(this.get(n));
    return out;
  }

  /** Assigns values by name; every name must exist and every shape must match. */
  assign(values: tf.NamedTensorMap): void {
    for (const [n, t] of Object.entries(values)) {
      const v = this.get(n);
      if (this.state.has(n) && v.shape.join(',') !== t.shape.join(',')) {
        v.dispose();
        const copy = tf.clone(t);
        this.vars.set(n, tf.variable(copy, false));
        copy.dispose();
        continue;
      }
      if (v.shape.join(',') !== t.shape.join(',')) throw new Error(`parameter ${n}: shape ${t.shape} does not fit ${v.shape}`);
      v.assign(t);
    }
  }

  count(): number {
    let total = 0;
    for (const [n, v] of this.vars) if (!this.state.has(n)) total += v.size;
    return total;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
