// A model's parameters: named tf.Variables created from the seeded Rng, so the initial weights
// are a function of the seed alone. Names are logical ("joint.head.0.w"); tfjs's own variable
// names are left automatic so several models can live in one process.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng';

export type Init = 'he' | 'glorot' | 'zeros';

export class Params {
  private readonly vars = new Map<string, tf.Variable>();

  add(name: string, shape: number[], init: Init, rng: Rng): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
    const fanOut = shape[shape.length - 1];
    const values =
      init === 'zeros' ? new Float32Array(size)
      : init === 'he' ? rng.normalArray(size, Math.sqrt(2 / fanIn))
      : rng.normalArray(size, Math.sqrt(2 / (fanIn + fanOut)));
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, true);
    initial.dispose(); // the variable holds its own reference to the data
    this.vars.set(name, v);
    return v;
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
      if (v.shape.join(',') !== t.shape.join(',')) throw new Error(`parameter ${n}: shape ${t.shape} does not fit ${v.shape}`);
      v.assign(t);
    }
  }

  count(): number {
    let total = 0;
    for (const v of this.vars.values()) total += v.size;
    return total;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
