// The config variants of the methods dmil is compared against (issue 26): each key's default is
// the paper's or its authors' code's, and says which.
import { z } from 'zod';
import { concatHead, modelCommon } from './modelParts';
import { int } from './primitives';

/** [first, last]: the epochs, counted from 0 and both included, in which a method rebalances. */
const epochWindow = (value: [number, number], source: string) => z
  .array(int().min(0))
  .length(2)
  .default(value)
  .refine(([a, b]) => a <= b, { message: 'the first epoch of the window must not be after the last' })
  .describe(`the epochs, counted from 0 and both included, in which the method rebalances (${source})`);

const i2m2Model = z.strictObject({
  paradigm: z.literal('i2m2').describe('I2M2 (Madaan et al., NeurIPS 2024): the unimodal classifiers and the joint classifier combined as a product of experts, q(y|x) ∝ q(y|x_1..x_K) Π q_m(y|x_m); each trained alone first, then all through the product'),
  ...modelCommon,
  head: concatHead('the inter-modality classifier\'s head'),
  pretrain: z.boolean().default(true).describe('train each intra-modality classifier and then the inter-modality one on its own first (stages intra-<modality>, inter), as the authors\' code does; false: the product stage alone, from the initial weights'),
  product_lr: z.number().gt(0).max(1).default(0.1).describe('with pretrain: the product stage\'s learning rate as a share of train.optimizer.lr (their AV-MNIST: 0.01 after 0.1)'),
});


const ogmGeModel = z.strictObject({
  paradigm: z.literal('ogm-ge').describe('OGM-GE (Peng et al., CVPR 2022): encoders concatenated into one linear layer; each step the encoder gradients of the modality with the higher true-class score are scaled by 1 - tanh(alpha rho), plus Gaussian noise of the gradient\'s spread (GE)'),
  ...modelCommon,
  alpha: z.number().min(0).default(0.1).describe('alpha of the coefficient 1 - tanh(alpha rho) (Eq. 10); the authors\' README: 0.1 for VGGSound, 0.8 for CREMA-D'),
  modulation: z.enum(['ogm-ge', 'ogm', 'none']).default('ogm-ge').describe('ogm-ge: scaled gradients plus the GE noise; ogm: scaled only; none: the same network trained jointly (their "Normal")'),
  modulation_epochs: epochWindow([0, 50], 'the authors\' modulation_starts 0, modulation_ends 50'),
});

const qmfModel = z.strictObject({
  paradigm: z.literal('qmf').describe('QMF (Zhang et al., ICML 2023): one classifier per modality, fused by per-sample weights from each one\'s energy (confidence_scale x logsumexp of its logits), with a ranking loss that keeps those weights in the order of each sample\'s history of losses'),
  ...modelCommon,
  confidence_scale: z.number().gt(0).default(0.1).describe('w_m = confidence_scale x logsumexp of modality m\'s logits (the negative energy; their code divides by 10)'),
  rank_weight: z.number().min(0).default(1).describe('weight of the ranking loss (their text-image code adds it unweighted; their RGB-D scripts weigh it by 0.1)'),
});

const pmrModel = z.strictObject({
  paradigm: z.literal('pmr').describe('PMR (Fan et al., CVPR 2023): encoders concatenated into one linear layer, class prototypes per modality; the modality whose prototype classifier trails gets alpha times its prototype cross-entropy added to the loss'),
  ...modelCommon,
  alpha: z.number().min(0).default(1).describe('weight of the trailing modality\'s prototype cross-entropy (their code\'s alpha, default 1)'),
  momentum: z.number().min(0).max(1).default(0.2).describe('new prototypes are (1 - momentum) x the class means + momentum x the previous ones (their momentum_coef)'),
  prototype_share: z.number().gt(0).max(1).default(0.1).describe('share of the training samples whose class means make the prototypes, drawn afresh each epoch (their code: the first tenth of the batches)'),
  modulation_epochs: epochWindow([0, 100], 'the authors\' modulation_starts 0, modulation_ends 100'),
  entropy_weight: z.number().min(0).default(0).describe('weight of the prototypical entropy regulariser, which raises the entropy of the leading modality\'s prototype classifier early in training (the paper\'s PER; their public code has none and the paper\'s weight could not be read here, so 0: off)'),
  entropy_epochs: int().min(0).default(10).describe('with entropy_weight: the regulariser applies in the epochs before this one (counted from 0)'),
});

const mlaModel = z.strictObject({
  paradigm: z.literal('mla').describe('MLA (Zhang et al., CVPR 2024): one encoder per modality and one shared linear head, the modalities trained in turn on every batch, the head\'s gradient projected to keep what earlier turns learned; predictions fused by weights from each modality\'s prediction entropy'),
  ...modelCommon,
  gradient_modification: z.boolean().default(true).describe('project the shared head\'s weight gradient (their GSPlugin); false: plain alternating training'),
});

const i2moeModel = z.strictObject({
  paradigm: z.literal('i2moe').describe('I2MoE (Xin et al., ICML 2025): a uniqueness expert per modality, a synergy and a redundancy expert, each trained with a weakly supervised interaction loss from passes with one modality replaced by noise, mixed by per-sample weights of a reweighting model (its interaction scores, written by decompose as the gate)'),
  ...modelCommon,
  head: concatHead('each interaction expert (a copy of the fusion model)'),
  reweight: z
    .strictObject({
      hidden: z.array(int().min(1)).default([]).describe('hidden layer sizes of the reweighting model on [z_1, ..., z_K] ([]: one linear layer, their num_layer_rw 1)'),
      temperature: z.number().gt(0).default(1).describe('the weights are softmax(logits / temperature) (their temperature_rw; their scripts try 1 and 2)'),
    })
    .prefault({}),
  interaction_weight: z.number().min(0).default(0.3).describe('weight of the mean interaction loss: 0.3 from the values of the authors\' scripts (0.01, 0.1, 0.3, 0.5, 0.7) by mean validation accuracy on configs/mix.yaml and configs/fashion-pairs.yaml, seed 1 (0.899 against 0.892-0.899; docs/explanation/comparisons.md)'),
});

export const comparisonModels = [i2m2Model, ogmGeModel, qmfModel, pmrModel, mlaModel, i2moeModel] as const;
