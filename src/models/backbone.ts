// Backbones: one encoder per modality, x_m -> z_m. Chosen per modality from the config
// (`model.backbone`, overridden by `model.backbones.<name>`).
import * as tf from '@tensorflow/tfjs-core';
import type { BackboneConfig, ModelConfig } from '../config/schema';
import { UserError } from '../errors';
import type { Rng } from '../rng';
import { activate, dense, mlp, type Layer } from './layers';
import { gruEncoder } from './gru';
import { fanInOf, type Params } from './params';

export interface Encoder {
  forward: Layer;
  outDim: number;
}

export function backboneFor(model: ModelConfig, modality: string, knownModalities: readonly string[]): BackboneConfig {
  for (const key of Object.keys(model.backbones)) {
    if (!knownModalities.includes(key)) {
      throw new UserError(`model.backbones.${key}: no modality named "${key}"`, { hint: `modalities are ${knownModalities.join(', ')}` });
    }
  }
  return { ...model.backbone, ...model.backbones[modality] };
}

/**
 * The encoder of one modality. Batches arrive flattened, [N, prod(shape)]; conv backbones
 * reshape them to [N, H, W, C] or [N, T, D].
 */
export function buildEncoder(params: Params, name: string, shape: number[], cfg: BackboneConfig, rng: Rng, modality = name): Encoder {
  const size = shape.reduce((a, b) => a * b, 1);
  switch (cfg.type) {
    case 'mlp':
      return { forward: mlp(params, name, size, [...cfg.hidden, cfg.out], rng, cfg.activation, cfg.activation), outDim: cfg.out };
    case 'conv2d': {
      if (shape.length !== 3 && shape.length !== 2) {
        throw new UserError(`backbone conv2d needs images [H, W, C]; modality ${modality} has samples of shape [${shape.join(', ')}]`, { hint: 'declare the image shape (data.modalities[].shape) or use an mlp backbone' });
      }
      const [h, w, c] = shape.length === 3 ? shape : [...shape, 1];
      return convEncoder(params, name, [h, w, c], cfg, rng, 2);
    }
    case 'temporal': {
      if (shape.length !== 2 && shape.length !== 1) {
        throw new UserError(`backbone temporal needs sequences [T, D]; modality ${modality} has samples of shape [${shape.join(', ')}]`, { hint: 'declare the sequence shape (data.modalities[].shape) or use an mlp backbone' });
      }
      const [t, d] = shape.length === 2 ? shape : [shape[0], 1];
      return convEncoder(params, name, [t, d], cfg, rng, 1);
    }
    case 'gru': {
      if (shape.length !== 2 && shape.length !== 1) {
        throw new UserError(`backbone gru needs sequences [T, D]; modality ${modality} has samples of shape [${shape.join(', ')}]`, { hint: 'declare the sequence shape (data.modalities[].shape) or use an mlp backbone' });
      }
      const [t, d] = shape.length === 2 ? shape : [shape[0], 1];
      return gruEncoder(params, name, t, d, cfg, rng);
    }
  }
}

/** Convolutions (first stride 1, then stride 2, 'same' padding), global average pooling, dense. */
function convEncoder(params: Params, name: string, inShape: number[], cfg: BackboneConfig, rng: Rng, spatialDims: 1 | 2): Encoder {
  const k = cfg.kernel;
  let cin = inShape[inShape.length - 1];
  const layers = cfg.channels.map((ch, i) => {
    const shape = spatialDims === 2 ? [k, k, cin, ch] : [k, cin, ch];
    const w = params.weight(`${name}.conv${i}.w`, shape, cfg.activation, rng);
    const b = params.bias(`${name}.conv${i}.b`, ch, fanInOf(shape), rng);
    cin = ch;
    const stride = i === 0 ? 1 : 2;
    return (x: tf.Tensor): tf.Tensor => {
      const y = spatialDims === 2 ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same') : tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride, 'same');
      return activate(tf.add(y, b) as tf.Tensor2D, cfg.activation);
    };
  });
  const head = dense(params, `${name}.dense`, cin, cfg.out, rng, cfg.activation);
  const axes = spatialDims === 2 ? [1, 2] : [1];
  return {
    forward: (x) => {
      const h = layers.reduce((acc, layer) => layer(acc), tf.reshape(x, [x.shape[0], ...inShape]) as tf.Tensor);
      return head(tf.mean(h, axes) as tf.Tensor2D);
    },
    outDim: cfg.out,
  };
}
