// The config schema: the one source of truth for every key, its type, its default and its
// documentation. The README's config reference is generated from it (`dmil schema --markdown`),
// and a test keeps the two in sync.
import { z } from 'zod';
import { INIT_SCHEMES } from '../models/params';
import { EARLY_STOP_METRICS } from '../train/earlyStop';

const int = () => z.number().int();
const positiveInt = () => int().min(1);
const share = () => z.number().min(0);
const identifier = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" and "." only');

const mix = z
  .strictObject({
    R: share().default(0).describe('share of redundancy samples: both modalities carry the label'),
    U1: share().default(0).describe('share of samples that only modality 1 explains'),
    U2: share().default(0).describe('share of samples that only modality 2 explains'),
    S: share().default(0).describe('share of synergy samples: the label is (code1 + code2) mod classes'),
  })
  .refine((m) => m.R + m.U1 + m.U2 + m.S > 0, { message: 'at least one share must be above 0' })
  .describe('mix of interaction types; shares are normalised to sum to 1');

const syntheticModality = z.strictObject({
  name: identifier().describe('modality name, used in logs, per-modality backbones and `model.modality`'),
  dim: positiveInt().describe('feature dimension of this modality'),
  noise: z.number().min(0).default(0.5).describe('standard deviation of the Gaussian noise added to every feature'),
});

const split = z
  .strictObject({
    val: z.number().gt(0).lt(1).default(0.15).describe('share of samples held out for validation (model selection, early stopping)'),
    test: z.number().gt(0).lt(1).default(0.15).describe('share of samples held out for the final test'),
  })
  .refine((s) => s.val + s.test < 0.9, { message: 'val + test must leave at least 10% for training' })
  .describe('stratified split, drawn from the data seed');

export const syntheticData = z.strictObject({
  source: z.literal('synthetic').describe('where samples come from'),
  samples: int().min(20).default(4000).describe('number of samples'),
  classes: int().min(2).max(1000).default(4).describe('number of classes'),
  mix: mix.prefault({ R: 0.25, U1: 0.25, U2: 0.25, S: 0.25 }),
  modalities: z
    .array(syntheticModality)
    .length(2, 'the synthetic source generates exactly 2 modalities')
    .default([{ name: 'a', dim: 32, noise: 0.5 }, { name: 'b', dim: 32, noise: 0.5 }])
    .describe('the two modalities'),
  latent_dim: positiveInt().default(8).describe('size of each class code before the nonlinear map to `dim`'),
  cue: z.number().min(0).default(1).describe('strength of the per-type cue mixed into both modalities (0: off); lets a model tell the interaction type from the input'),
  seed: int().optional().describe('seed of the data and split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});

const shapeOf = () => z.array(positiveInt()).min(1).optional().describe('shape of one sample, e.g. [28, 28, 1] for an image or [50, 8] for a sequence (default: a vector of the columns); checked against the data');

const csvModality = z.strictObject({
  name: identifier().describe('modality name'),
  columns: z.union([z.string(), z.array(z.string()).min(1)]).default('*').describe('feature columns: a glob such as "m1_*" or a list of names; the id, label and split columns never match'),
  path: z.string().optional().describe('a CSV file of its own for this modality, joined to the others on the `id` column (default: `data.path`)'),
  shape: shapeOf(),
});

export const csvData = z.strictObject({
  source: z.literal('csv'),
  path: z.string().optional().describe('CSV file with the label (and id, split) columns and, unless a modality names its own file, the features; relative paths resolve against the config file'),
  id: z.string().optional().describe('id column (required when modalities come from separate files)'),
  label: z.string().default('label').describe('label column: integers or strings'),
  split_column: z.string().optional().describe('column with train / val / test per row (default: a stratified split by `data.split`)'),
  delimiter: z.string().length(1).default(',').describe('field delimiter'),
  modalities: z.array(csvModality).min(1).describe('the modalities and their columns'),
  seed: int().optional().describe('seed of the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});

const npyModality = z.strictObject({
  name: identifier().describe('modality name'),
  path: z.string().describe('.npy file of shape [N, ...] (float32, float64 or integer, C order)'),
  shape: shapeOf(),
});

export const npyData = z.strictObject({
  source: z.literal('npy'),
  labels: z.string().describe('.npy file of N labels (integers or strings)'),
  split_file: z.string().optional().describe('CSV with columns id,split (rows in sample order) or a .npy of 0/1/2 (train/val/test); default: a stratified split by `data.split`'),
  modalities: z.array(npyModality).min(1).describe('one .npy file per modality'),
  seed: int().optional().describe('seed of the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});

export const idxData = z.strictObject({
  source: z.literal('idx'),
  images: z.string().describe('IDX image file (MNIST family, gzipped or not) of the training set'),
  labels: z.string().describe('IDX label file of the training set'),
  test_images: z.string().optional().describe('IDX image file of a separate test set (its samples form the test split)'),
  test_labels: z.string().optional().describe('IDX label file of the separate test set'),
  views: z
    .strictObject({ halves: z.enum(['top-bottom', 'left-right']).default('top-bottom').describe('two modalities from one image: its top and bottom halves, or its left and right halves') })
    .prefault({}),
  limit: positiveInt().optional().describe('use only the first N training (and N/6 test) images, for quick runs'),
  seed: int().optional().describe('seed of the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});

export const pairsData = z.strictObject({
  source: z.literal('pairs'),
  images: z.string().describe('IDX image file (MNIST family, gzipped or not) whose images the pairs are drawn from'),
  labels: z.string().describe('IDX label file of `images`'),
  test_images: z.string().optional().describe('IDX image file the test pairs are drawn from (default: a test share of `images`, by `split.test`)'),
  test_labels: z.string().optional().describe('IDX label file of `test_images`'),
  classes: z.array(int().min(0)).min(2).optional().refine((c) => !c || new Set(c).size === c.length, { message: 'list each label once' })
    .describe('labels of the image set that become the classes 0..C-1, in this order (default: every label in the file)'),
  samples: int().min(20).default(8000).describe('pairs drawn from the training images, split into training and validation pairs by `split.val` (their images never shared)'),
  test_samples: int().min(1).default(2000).describe('pairs drawn from the test images'),
  mix: mix.prefault({ R: 0.25, U1: 0.25, U2: 0.25, S: 0.25 }),
  cue: z.number().min(0).max(1).default(0.3).describe('brightness added to a small square in one corner of both images, a different corner per interaction type (0: no mark); lets a model tell the type from the input'),
  seed: int().optional().describe('seed of the pairs and the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});

export const dataSchema = z.discriminatedUnion('source', [syntheticData, csvData, npyData, idxData, pairsData]).describe('the dataset');

/** Keys whose values are file paths: relative ones resolve against the config file's folder. */
export const PATH_KEYS: readonly (readonly string[])[] = [
  ['data', 'path'], ['data', 'split_file'], ['data', 'images'], ['data', 'test_images'], ['data', 'test_labels'],
  ['data', 'modalities', '*', 'path'],
];
/** `data.labels` is a path for the npy, idx and pairs sources. */
export const isPathKey = (path: readonly (string | number)[], source: unknown): boolean =>
  (path.length === 2 && path[0] === 'data' && path[1] === 'labels' && (source === 'npy' || source === 'idx' || source === 'pairs'))
  || PATH_KEYS.some((k) => k.length === path.length && k.every((part, i) => part === '*' || part === path[i]));

const backbone = z.strictObject({
  type: z.enum(['mlp', 'conv2d', 'temporal']).default('mlp').describe('mlp for vectors; conv2d (a small CNN) for images [H, W, C]; temporal (1-D convolutions over time) for sequences [T, D]'),
  hidden: z.array(positiveInt()).default([128]).describe('mlp: hidden layer sizes'),
  channels: z.array(positiveInt()).min(1).default([16, 32, 64]).describe('conv2d, temporal: channels of each convolution; the first has stride 1, the others stride 2; then global average pooling'),
  kernel: positiveInt().default(3).describe('conv2d, temporal: kernel size'),
  out: positiveInt().default(64).describe('size of the representation z the backbone outputs'),
  activation: z.enum(['relu', 'tanh', 'gelu']).default('relu').describe('activation after every layer'),
});
export type BackboneConfig = z.infer<typeof backbone>;

const optimizer = z.strictObject({
  type: z.enum(['adam', 'sgd']).default('adam').describe('adam, or sgd (with momentum)'),
  lr: z.number().gt(0).default(0.001).describe('learning rate'),
  momentum: z.number().min(0).lt(1).default(0.9).describe('sgd momentum'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('adam beta1'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('adam beta2'),
  epsilon: z.number().gt(0).default(1e-7).describe('adam epsilon'),
  weight_decay: z.number().min(0).default(0).describe('L2 weight decay added to the gradient of weight matrices (not biases)'),
});

const schedule = z.strictObject({
  type: z.enum(['none', 'step', 'cosine']).default('none').describe('none: constant; step: multiply by `gamma` every `step_size` epochs; cosine: anneal to `min_lr` over the stage'),
  step_size: positiveInt().default(10).describe('step: epochs between decays'),
  gamma: z.number().gt(0).max(1).default(0.1).describe('step: decay factor'),
  min_lr: z.number().min(0).default(0).describe('cosine: final learning rate'),
});

const earlyStop = z.strictObject({
  patience: int().min(0).default(5).describe('stop after this many epochs without improvement on the validation split (0: never stop early)'),
  metric: z.enum(EARLY_STOP_METRICS).default('val_ce').describe('validation metric for early stopping and for picking the best epoch: val_ce, the cross-entropy of the model\'s prediction (ties broken by accuracy); val_accuracy (ties broken by val_ce); val_loss, the stage\'s whole loss with its regularisers'),
  min_delta: z.number().min(0).default(0).describe('smallest change that counts as an improvement'),
});

/**
 * The same keys as `section`, all optional and without defaults: a stage's overrides must only
 * change what the user wrote (zod's .partial() would keep the inner defaults and silently reset
 * e.g. `train.optimizer.type`).
 */
function overridesOf<T extends z.ZodRawShape>(section: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(section.shape)) {
    const def = (field as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    const inner = def.type === 'default' && def.innerType ? def.innerType : (field as z.ZodType);
    shape[key] = inner.optional().describe((field as z.ZodType).description ?? '');
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<z.ZodType<z.output<T[K]>>> }>;
}

export const DMIL_STAGES = ['decompose-intra', 'decompose-cross', 'finetune'] as const;
export type DmilStageName = (typeof DMIL_STAGES)[number];

const dmilStage = z.strictObject({
  name: z.enum(DMIL_STAGES).describe('decompose-intra: encoders, M/N split, decoders, probes, warm-up heads; decompose-cross: common space, U heads, synergy, gate (encoders and ID heads frozen); finetune: everything'),
  epochs: positiveInt().optional().describe('epochs of this stage (default: `train.epochs`)'),
  lr: z.number().gt(0).optional().describe('learning rate of this stage (default: `train.optimizer.lr`, half of it for finetune: 1e-3, 1e-3, 5e-4 with the defaults)'),
  optimizer: overridesOf(optimizer).optional().describe('overrides of `train.optimizer` for this stage'),
  schedule: overridesOf(schedule).optional().describe('overrides of `train.schedule` for this stage'),
  early_stop: overridesOf(earlyStop).optional().describe('overrides of `train.early_stop` for this stage'),
});
export type DmilStageConfig = z.infer<typeof dmilStage>;

const dmilWeights = z.strictObject({
  rec: z.number().min(0).default(1).describe('w_rec: reconstruction of z_m from (M_m, N_m) (ours: MSE)'),
  kl: z.number().min(0).default(1e-3).describe('w_kl: KL of q(M_m|z_m) and q(N_m|z_m) to N(0, I) (ours: standard normal prior)'),
  kl_u: z.number().min(0).default(1e-3).describe('w_kl_u: KL of q(U_m|M_m) to N(0, I)'),
  alpha: z.number().min(0).default(1).describe('alpha: alignment of r_1 and r_2 in the common space'),
  adv: z.number().min(0).default(0.3).describe('w_adv: strength of the N-label adversary (ours)'),
  warmup: z.number().min(0).default(3).describe('w_warmup: stage-1 warm-up heads W([z_1, z_2]) and W_N(fuse(N_1, N_2)) (ours)'),
  lb: z.number().min(0).default(0.3).describe('w_lb: gate load balancing, sum_c gbar_c log gbar_c (ours)'),
  mi: z.number().min(0).default(0).describe('w_mi: I(U_m; R) penalty; must be above 0 when `mi` is club or xcov'),
  gate_entropy: z.number().min(0).default(0).describe('w_gate_ent: per-sample gate entropy (untested)'),
  beta: z.number().min(0).default(0.5).describe('beta: weight of L1 in the finetune stage'),
  gamma: z.number().min(0).default(0.5).describe('gamma: weight of L2 in the finetune stage'),
});

const dmilSettings = z.strictObject({
  latent: positiveInt().default(32).describe('k: size of M_m, N_m, U_m, the common space and S'),
  r_head: z.enum(['agreement', 'mean']).default('agreement').describe('agreement (ours): l_R = h_R(P_1(M_1)) + h_R(P_2(M_2)), a product of experts; mean (paper): l_R = h_R(R)'),
  s_loss: z.enum(['residual', 'ce']).default('residual').describe('residual (ours): S learns CE(l_S + sg(l_M1) + sg(l_M2), y); ce (paper): plain CE(l_S, y)'),
  mi: z.enum(['off', 'club', 'xcov']).default('off').describe('I(U_m; R) penalty: off (ours, default), club (CLUB with a learned Gaussian q(R|U_m) in its own step), xcov (batch cross-covariance norm)'),
  adversary: z.enum(['grl', 'clipped', 'prior', 'off']).default('prior').describe('N-label adversary (ours): grl reverses the probe\'s cross-entropy (unbounded); clipped reverses it per sample up to log C (chance), then stops; prior pushes the probe\'s prediction towards the label prior; off'),
  gate_inputs: z.enum(['features+confidences', 'features']).default('features+confidences').describe('what the gate reads: [sg z_1, sg z_2] plus every component\'s and M head\'s probabilities and <p_M1, p_M2>, or the features alone'),
  weights: dmilWeights.prefault({}).describe('loss weights'),
  finetune: z
    .strictObject({
      mixture_to_components: z.boolean().default(false).describe('false (ours): in finetune the mixture loss reaches only the gate; true (paper): it also trains the components'),
    })
    .prefault({}),
  stages: z
    .array(dmilStage)
    .min(1)
    .default([{ name: 'decompose-intra' }, { name: 'decompose-cross' }, { name: 'finetune' }])
    .refine((st) => st.every((x, i) => i === 0 || DMIL_STAGES.indexOf(x.name) > DMIL_STAGES.indexOf(st[i - 1].name)), {
      message: 'stages must be a subset of decompose-intra, decompose-cross, finetune, in that order, each at most once',
    })
    .describe('the training stages, in order; drop one for an ablation'),
}).refine((d) => d.mi === 'off' || d.weights.mi > 0, {
  message: 'an I(U_m; R) penalty with weights.mi 0 does nothing; set model.dmil.weights.mi above 0, or mi: off',
  path: ['mi'],
});
export type DmilConfig = z.infer<typeof dmilSettings>;

/** Keys every paradigm shares: the backbones and how weights start. */
const modelCommon = {
  backbone: backbone.prefault({}).describe('the default backbone of every modality'),
  backbones: z
    .record(z.string(), backbone.partial())
    .default({})
    .describe('per-modality overrides of `backbone`, keyed by modality name, e.g. `{b: {hidden: [256]}}`'),
  init: z.enum(INIT_SCHEMES).default('torch').describe('initial weights: torch (weights and biases uniform in +-1/sqrt(fan_in), as PyTorch\'s nn.Linear and nn.Conv), he (He-normal before ReLU/GELU, Glorot-normal elsewhere, zero biases; dmil 0.1), glorot (Glorot-normal, zero biases)'),
};

/** One variant per paradigm: a key another paradigm uses is a config error, not silently ignored. */
const unimodalModel = z.strictObject({
  paradigm: z.literal('unimodal').describe('one modality: its backbone and a linear head'),
  ...modelCommon,
  modality: identifier().optional().describe('the modality to use (default: the first)'),
});

const jointModel = z.strictObject({
  paradigm: z.literal('joint').describe('every modality\'s backbone, the representations concatenated, an MLP head, one cross-entropy'),
  ...modelCommon,
  head: z
    .strictObject({ hidden: z.array(positiveInt()).default([64]).describe('hidden layer sizes of the joint head on [z_1, ..., z_K]') })
    .prefault({}),
});

const ensembleModel = z.strictObject({
  paradigm: z.literal('ensemble').describe('one unimodal model per modality, each trained in its own stage; predicts with the mean of their probabilities'),
  ...modelCommon,
});

const lateFusionModel = z.strictObject({
  paradigm: z.literal('late-fusion').describe('one backbone and linear head per modality; their logits summed with a learned weight per modality; one cross-entropy'),
  ...modelCommon,
});

const dmilModel = z.strictObject({
  paradigm: z.literal('dmil').describe('decomposition into R, U1, U2, S with a per-sample gate (two modalities)'),
  ...modelCommon,
  dmil: dmilSettings.prefault({}).describe('DMIL settings; every (ours) choice has its switch here'),
});

const modelVariants = [unimodalModel, jointModel, ensembleModel, lateFusionModel, dmilModel] as const;
export const PARADIGMS = modelVariants.map((v) => v.shape.paradigm.value) as ParadigmName[];
export type ParadigmName = z.infer<(typeof modelVariants)[number]>['paradigm'];
export const DEFAULT_PARADIGM: ParadigmName = 'joint';

/** A model section without `paradigm` is a joint model. */
const withDefaultParadigm = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !('paradigm' in v) ? { ...v, paradigm: DEFAULT_PARADIGM } : v;

const model = z.preprocess(withDefaultParadigm, z.discriminatedUnion('paradigm', modelVariants)).describe('the model: a paradigm and its backbones');

const train = z.strictObject({
  batch_size: positiveInt().default(128).describe('mini-batch size'),
  epochs: positiveInt().default(30).describe('maximum epochs per stage'),
  optimizer: optimizer.prefault({}),
  schedule: schedule.prefault({}),
  early_stop: earlyStop.prefault({}),
  eval_batch_size: positiveInt().default(1024).describe('batch size for validation and evaluation'),
});
export type TrainConfig = z.infer<typeof train>;

/** A train section with defaults filled in (for training done inside dmil, e.g. probes). */
export const parseTrainConfig = (raw: z.input<typeof train>): TrainConfig => train.parse(raw);

export const configSchema = z.strictObject({
  name: identifier().default('experiment').describe('experiment name; the run id starts with it'),
  seed: int().min(0).default(0).describe('seed of everything random: data, split, initial weights, batch order'),
  data: dataSchema,
  model: model.prefault({}),
  train: train.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type DataConfig = z.infer<typeof dataSchema>;
export type CsvConfig = z.infer<typeof csvData>;
export type NpyConfig = z.infer<typeof npyData>;
export type IdxConfig = z.infer<typeof idxData>;
export type PairsConfig = z.infer<typeof pairsData>;
export type ModelConfig = z.infer<typeof model>;
export type ModelOf<P extends ParadigmName> = Extract<ModelConfig, { paradigm: P }>;
