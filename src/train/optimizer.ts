// Adam and SGD with momentum, with L2 weight decay on weight matrices. Written out (rather than
// tf.train.*) so that the state is plain named tensors that checkpoints save and resume restores,
// and the learning rate can change every epoch.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/schema';
import type { Params } from '../models/params';

type OptimizerConfig = TrainConfig['optimizer'];

/** Weight decay applies to weight matrices, not to biases. */
const decays = (name: string) => name.endsWith('.w');

export class Optimizer {
  private step = 0;
  private readonly slots = new Map<string, tf.Variable>();

  constructor(private readonly cfg: OptimizerConfig) {}

  private slot(name: string, like: tf.Tensor): tf.Variable {
    let s = this.slots.get(name);
    if (!s) {
      s = tf.variable(tf.zerosLike(like), false);
      this.slots.set(name, s);
    }
    return s;
  }

  /** One update of `params` by `grads` (keyed by parameter name) at learning rate `lr`. */
  apply(params: Params, grads: Record<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { type, beta1, beta2, epsilon, momentum, weight_decay: wd } = this.cfg;
    const t = this.step;
    tf.tidy(() => {
      for (const [name, g0] of Object.entries(grads)) {
        const w = params.get(name);
        const g = wd > 0 && decays(name) ? tf.add(g0, tf.mul(w, wd)) : g0;
        if (type === 'adam') {
          const m = this.slot(`${name}/m`, w);
          const v = this.slot(`${name}/v`, w);
          m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
          v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
          const mHat = tf.div(m, 1 - beta1 ** t);
          const vHat = tf.div(v, 1 - beta2 ** t);
          w.assign(tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr)));
        } else {
          const buf = this.slot(`${name}/momentum`, w);
          buf.assign(tf.add(tf.mul(buf, momentum), g));
          w.assign(tf.sub(w, tf.mul(buf, lr)));
        }
      }
    });
  }

  /** State for checkpoints: the step count and copies of every slot. */
  state(): { step: number; tensors: tf.NamedTensorMap } {
    const tensors: tf.NamedTensorMap = {};
    for (const [n, s] of this.slots) tensors[n] = tf.clone(s);
    return { step: this.step, tensors };
  }

  load(step: number, tensors: tf.NamedTensorMap): void {
    this.step = step;
    for (const [n, t] of Object.entries(tensors)) {
      this.slots.get(n)?.dispose();
      this.slots.set(n, tf.variable(t, false));
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}
