// The model keys several paradigms share: a backbone, the per-modality overrides, the initial
// weights, and the MLP head on concatenated representations.
import { z } from 'zod';
import { INIT_SCHEMES, positiveInt } from './primitives';

export const backbone = z.strictObject({
  type: z.enum(['mlp', 'conv2d', 'temporal', 'gru']).default('mlp').describe('mlp for vectors; conv2d (a small CNN) for images [H, W, C]; temporal (1-D convolutions over time) or gru (a recurrent network, as MultiBench and I2MoE use on the affect benchmarks) for sequences [T, D]'),
  hidden: z.array(positiveInt()).default([128]).describe('mlp: hidden layer sizes'),
  channels: z.array(positiveInt()).min(1).default([16, 32, 64]).describe('conv2d, temporal: channels of each convolution; the first has stride 1, the others stride 2; then global average pooling'),
  kernel: positiveInt().default(3).describe('conv2d, temporal: kernel size'),
  units: positiveInt().default(64).describe('gru: size of the hidden state'),
  layers: positiveInt().max(8).default(1).describe('gru: stacked layers'),
  pool: z.enum(['last', 'mean']).default('last').describe('gru: the last hidden state, or the mean over time, goes to the dense layer'),
  out: positiveInt().default(64).describe('size of the representation z the backbone outputs'),
  activation: z.enum(['relu', 'tanh', 'gelu']).default('relu').describe('activation after every layer'),
});
export type BackboneConfig = z.infer<typeof backbone>;

/** Keys every paradigm shares: the backbones and how weights start. */
export const modelCommon = {
  backbone: backbone.prefault({}).describe('the default backbone of every modality'),
  backbones: z
    .record(z.string(), backbone.partial())
    .default({})
    .describe('per-modality overrides of `backbone`, keyed by modality name, e.g. `{b: {hidden: [256]}}`'),
  init: z.enum(INIT_SCHEMES).default('torch').describe('initial weights: torch (weights and biases uniform in +-1/sqrt(fan_in), as PyTorch\'s nn.Linear and nn.Conv), he (He-normal before ReLU/GELU, Glorot-normal elsewhere, zero biases; dmil 0.1), glorot (Glorot-normal, zero biases)'),
};

/** The MLP head on the concatenated representations [z_1, ..., z_K] (joint, i2m2's inter-modality classifier). */
export const concatHead = (what: string) => z
  .strictObject({ hidden: z.array(positiveInt()).default([64]).describe(`hidden layer sizes of ${what} on [z_1, ..., z_K]`) })
  .prefault({});

