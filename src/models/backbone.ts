// Backbones: one encoder per modality, x_m -> z_m. Chosen per modality from the config
// (`model.backbone`, overridden by `model.backbones.<name>`).
import type { BackboneConfig, ModelConfig } from '../config/schema';
import { UserError } from '../errors';
import type { Rng } from '../rng';
import { mlp, type Layer } from './layers';
import type { Params } from './params';

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

export function buildEncoder(params: Params, name: string, inDim: number, cfg: BackboneConfig, rng: Rng): Encoder {
  switch (cfg.type) {
    case 'mlp':
      return { forward: mlp(params, name, inDim, [...cfg.hidden, cfg.out], rng, cfg.activation, cfg.activation), outDim: cfg.out };
  }
}
