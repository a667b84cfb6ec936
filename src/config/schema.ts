// The config schema: the one source of truth for every key, its type, its default and its
// documentation. The README's config reference is generated from it (`dmil schema --markdown`),
// and a test keeps the two in sync. The data sources' sections live in dataSchema.ts.
import { z } from 'zod';
import { comparisonModels } from './comparisonModels';
import { dataSchema } from './dataSchema';
import { concatHead, modelCommon } from './modelParts';
import { EARLY_STOP_METRICS, identifier, int, positiveInt } from './primitives';

export type { BackboneConfig } from './modelParts';

const optimizer = z.strictObject({
  type: z.enum(['adam', 'sgd']).default('adam').describe('adam, or sgd (with momentum)'),
  lr: z.number().gt(0).default(0.001).describe('learning rate'),
  momentum: z.number().min(0).lt(1).default(0.9).describe('sgd momentum'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('adam beta1'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('adam beta2'),
  epsilon: z.number().gt(0).default(1e-7).describe('adam epsilon'),
  weight_decay: z.number().min(0).max(1, 'a weight decay above 1 pulls every weight to zero whatever the loss says (typical values: 1e-5 to 1e-2)').default(0).describe('L2 weight decay added to the gradient of weight matrices (not biases)'),
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
  s_loss: z.enum(['residual', 'ce']).default('ce').describe('ce (paper): plain CE(l_S, y); residual (ours): S learns CE(l_S + sum_m sg(l_Mm), y)'),
  mi: z.enum(['off', 'club', 'xcov']).default('off').describe('I(U_m; R) penalty: off (ours, default), club (CLUB with a learned Gaussian q(R|U_m) in its own step), xcov (batch cross-covariance norm)'),
  adversary: z.enum(['grl', 'clipped', 'prior', 'off']).default('off').describe('N-label adversary (ours; off is the paper\'s form): grl reverses the probe\'s cross-entropy (unbounded); clipped reverses it per sample up to log C (chance), then stops; prior pushes the probe\'s prediction towards the label prior; off: none (a fresh probe after training still measures the label information left in N, n_probe_accuracy)'),
  gate_inputs: z.enum(['features+confidences', 'features']).default('features+confidences').describe('what the gate reads: [sg z_1, sg z_2] plus every component\'s and M head\'s probabilities and <p_M1, p_M2>, or the features alone'),
  weights: dmilWeights.prefault({}).describe('loss weights'),
  finetune: z
    .strictObject({
      mixture_to_components: z.boolean().default(true).describe('true (paper): in finetune the mixture loss trains the gate and the components; false (ours): it reaches only the gate'),
    })
    .prefault({}),
  stages: z
    .array(dmilStage)
    .min(1)
    .default([{ name: 'decompose-intra' }, { name: 'decompose-cross' }, { name: 'finetune' }])
    .refine((st) => st.every((x, i) => i === 0 || DMIL_STAGES.indexOf(x.name) > DMIL_STAGES.indexOf(st[i - 1].name)), {
      message: 'stages must be a subset of decompose-intra, decompose-cross, finetune, in that order, each at most once',
    })
    .describe('the training stages, in order. Default: the paper\'s three; without {name: finetune} it is the two-stage variant (level with three on validation, docs/explanation/method.md)'),
}).refine((d) => d.mi === 'off' || d.weights.mi > 0, {
  message: 'an I(U_m; R) penalty with weights.mi 0 does nothing; set model.dmil.weights.mi above 0, or mi: off',
  path: ['mi'],
});
export type DmilConfig = z.infer<typeof dmilSettings>;

/** One variant per paradigm: a key another paradigm uses is a config error, not silently ignored. */
const unimodalModel = z.strictObject({
  paradigm: z.literal('unimodal').describe('one modality: its backbone and a linear head'),
  ...modelCommon,
  modality: identifier().optional().describe('the modality to use (default: the first)'),
});

const jointModel = z.strictObject({
  paradigm: z.literal('joint').describe('every modality\'s backbone, the representations concatenated, an MLP head, one cross-entropy'),
  ...modelCommon,
  head: concatHead('the joint head'),
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

const modelVariants = [unimodalModel, jointModel, ensembleModel, lateFusionModel, ...comparisonModels, dmilModel] as const;
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
  checkpoint_seconds: z.number().min(0).default(30).describe('write the resume checkpoint at the end of an epoch once this many seconds have passed since the last one (a finished stage is committed by its own checkpoint); a kill loses at most this much training plus one epoch, which dmil train --resume replays identically; 0: after every epoch'),
  keep_incoming: z.boolean().default(true).describe('each stage\'s incoming model (the initial weights, or what the stage before left) is a candidate, epoch 0, kept when no epoch beats it on validation; false: the best trained epoch is kept even when it is worse (dmil 0.1)'),
  divergence: z.number().min(0).default(1e4).describe('stop the run as failed when an epoch\'s mean training loss exceeds this many times the stage\'s starting loss (the incoming model\'s validation loss, at least 1 in size); 0 turns the guard off'),
  tensorboard: z.boolean().default(false).describe('write TensorBoard event files into runs/<id>/tensorboard/ while training (dmil train --tensorboard): every metrics.csv value per epoch as <stage>/<split>/<name>, the running training loss, the resolved config as text, and at the end the HParams summary (the keys a sweep varies, or those set with --set) with the final metrics; a resumed run adds a file and repeats no step'),
  tensorboard_steps: int().min(0).default(50).describe('with train.tensorboard: write the running mean training loss of the epoch every this many optimiser steps, as <stage>/train/running_loss (0: none)'),
});
export type TrainConfig = z.infer<typeof train>;

/** A train section with defaults filled in (for training done inside dmil, e.g. probes). */
export const parseTrainConfig = (raw: z.input<typeof train>): TrainConfig => train.parse(raw);

/** How `dmil pid`'s exact estimator discretises a modality (src/pid/discretise.ts). */
export const DISCRETISATIONS = ['standardised', 'liang2023'] as const;
export type Discretisation = (typeof DISCRETISATIONS)[number];

/** k-means clusters per modality when `pid.clusters` is not given: dmil's 8, or the 20 Liang et al. used. */
export const DEFAULT_PID_CLUSTERS = { standardised: 8, liang2023: 20 } as const;

const pid = z.strictObject({
  discretise: z.enum(DISCRETISATIONS).default('standardised').describe('exact estimator: how each modality becomes clusters. standardised: k-means on the standardised features; liang2023: as Liang et al. (NeurIPS 2023) for their synthetic table, each sample\'s features as the source gives them scaled to unit L2 norm, PCA to 2 components, then k-means (20 clusters unless pid.clusters says otherwise). Every statistic is fitted on the training split'),
  clusters: int().min(2).max(64).optional().describe('exact estimator: k-means clusters per modality; default 8 with pid.discretise standardised, 20 with liang2023'),
  tolerance: z.number().gt(0).max(1e-2).default(1e-7).describe('exact estimator: stop when an iteration lowers min I_q(X1, X2; Y) by less than this many bits'),
  bootstrap: int().min(0).max(10000).default(100).describe('resamples of the evaluated samples for the 95% intervals (0: none)'),
  batch: z.strictObject({
    batch_size: int().min(8).max(1024).default(128).describe('samples per batch: q lives on the b x b pairs of a batch'),
    epochs: positiveInt().default(8).describe('training epochs of the learned q'),
    hidden: positiveInt().default(32).describe('hidden units of the two score networks f1, f2'),
    lr: z.number().gt(0).default(1e-2).describe('Adam learning rate of the score networks'),
    sinkhorn_iterations: positiveInt().default(20).describe('unrolled Sinkhorn scalings that project q onto the marginal constraints'),
  }).prefault({}).describe('the neural BATCH estimator (Liang et al., NeurIPS 2023)'),
})
  // The resolved config names the clusters used, whichever discretisation chose them.
  .transform((p) => ({ ...p, clusters: p.clusters ?? DEFAULT_PID_CLUSTERS[p.discretise] }))
  .describe('settings of `dmil pid` (partial information decomposition of the data)');
export type PidConfig = z.infer<typeof pid>;

export const configSchema = z.strictObject({
  name: identifier().default('experiment').describe('experiment name; the run id starts with it'),
  seed: int().min(0).default(0).describe('seed of everything random: data, split, initial weights, batch order'),
  data: dataSchema,
  model: model.prefault({}),
  train: train.prefault({}),
  pid: pid.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof model>;
export type ModelOf<P extends ParadigmName> = Extract<ModelConfig, { paradigm: P }>;
