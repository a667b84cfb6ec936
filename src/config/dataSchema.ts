// The `data` section of the config: one variant per data source, and which keys hold file paths.
import { z } from 'zod';
import { identifier, int, positiveInt, share, uniqueNames } from './primitives';
import { labelTransform, nonfinite, shapeOf, split, valFromTrain } from './dataParts';
import { hdf5Data, pickleData } from './fileSources';

export type { LabelTransform, NonfinitePolicy } from './dataParts';
export { NONFINITE_POLICIES } from './dataParts';

const mixShares = {
  R: share().default(0).describe('share of redundancy samples: every modality carries the label'),
  U1: share().default(0).describe('share of samples that only modality 1 explains'),
  U2: share().default(0).describe('share of samples that only modality 2 explains'),
  S: share().default(0).describe('share of synergy samples: the label is the sum of the modalities\' codes mod classes'),
};
const sumAbove0 = (m: Record<string, number | undefined>) => Object.values(m).reduce<number>((a, v) => a + (v ?? 0), 0) > 0;

const mix = z
  .strictObject(mixShares)
  .refine(sumAbove0, { message: 'at least one share must be above 0' })
  .describe('mix of interaction types; shares are normalised to sum to 1');

/** The most modalities the synthetic source generates. */
export const MAX_SYNTHETIC_MODALITIES = 8;

/** The synthetic source's mix: with K modalities, also U3 ... UK. */
const syntheticMix = z
  .strictObject({
    ...mixShares,
    ...Object.fromEntries(Array.from({ length: MAX_SYNTHETIC_MODALITIES - 2 }, (_, i) => [`U${i + 3}`, share().optional().describe(`share of samples that only modality ${i + 3} explains (with ${i + 3} or more modalities)`)])),
  })
  .refine(sumAbove0, { message: 'at least one share must be above 0' })
  .describe('mix of interaction types; shares are normalised to sum to 1');

const syntheticModality = z.strictObject({
  name: identifier().describe('modality name, used in logs, per-modality backbones and `model.modality`'),
  dim: positiveInt().describe('feature dimension of this modality'),
  noise: z.number().min(0).max(1000, 'at most 1000: the signal has unit variance, and far more noise leaves nothing to learn (and overflows float32)').default(0.5).describe('standard deviation of the Gaussian noise added to every feature (the signal has unit variance)'),
});


export const syntheticData = z.strictObject({
  source: z.literal('synthetic').describe('where samples come from'),
  samples: int().min(20).default(4000).describe('number of samples'),
  classes: int().min(2).max(1000).default(4).describe('number of classes'),
  mix: syntheticMix.prefault({ R: 0.25, U1: 0.25, U2: 0.25, S: 0.25 }),
  modalities: z
    .array(syntheticModality)
    .min(2, 'the synthetic source generates 2 to 8 modalities')
    .max(MAX_SYNTHETIC_MODALITIES, 'the synthetic source generates 2 to 8 modalities')
    .superRefine(uniqueNames)
    .default([{ name: 'a', dim: 32, noise: 0.5 }, { name: 'b', dim: 32, noise: 0.5 }])
    .describe('the modalities (2 to 8); with K of them the types are R, U1 ... UK and S'),
  latent_dim: positiveInt().default(8).describe('size of each class code before the nonlinear map to `dim`'),
  cue: z.number().min(0).default(1).describe('strength of the per-type cue mixed into every modality (0: off); lets a model tell the interaction type from the input'),
  seed: int().optional().describe('seed of the data and split; defaults to the top-level `seed`'),
  split: split.prefault({}),
}).superRefine((d, ctx) => {
  for (let m = d.modalities.length + 1; m <= MAX_SYNTHETIC_MODALITIES; m++) {
    const share = (d.mix as Record<string, number | undefined>)[`U${m}`];
    if (share !== undefined && share > 0) ctx.addIssue({ code: 'custom', path: ['mix', `U${m}`], message: `there is no modality ${m}: the data has ${d.modalities.length} modalities` });
  }
});

const latentShare = () => z.number().min(0).max(1).default(0);

/** The synthetic generator of Liang et al. (NeurIPS 2023; the authors' synthetic/generate_data.py), reimplemented. */
export const liangData = z.strictObject({
  source: z.literal('liang2023'),
  samples: int().min(20).default(20000).describe('number of samples (their synthetic suite: 20000)'),
  classes: int().min(2).max(1000).default(2).describe('classes: equal-frequency bins of the label score (their experiments train with 2; the script\'s own default is 32)'),
  latent_dim: positiveInt().max(1000).default(5).describe('dimensions of each latent (z1, z2, the shared z12)'),
  latent_variance: z.number().gt(0).default(1.5).describe('variance of every latent dimension (their feature_sep)'),
  transform_dim: positiveInt().max(10000).default(32).describe('features each latent contributes to a modality through its fixed uniform(0, 1) matrix; a modality has 2 x transform_dim features'),
  label_from: z
    .strictObject({
      x1: latentShare().describe('share of z1\'s dimensions in the label score (their mix ratio for modality 0)'),
      x2: latentShare().describe('share of z2\'s dimensions (their modality 1)'),
      shared: latentShare().describe('share of the shared z12\'s dimensions, which both modalities see'),
    })
    .prefault({ shared: 1 })
    .describe('which latent dimensions the label depends on; per sample, floor(share x latent_dim) of each latent\'s dimensions are drawn. Their settings: redundancy {shared: 1}, uniqueness0 {x1: 1}, uniqueness1 {x2: 1}, synergy {x1: 1, x2: 1}, mix1 {x1: 0.5, x2: 0.5, shared: 0.5}'),
  label_dropout: z.number().min(0).lt(1).default(0.2).describe('probability that a chosen latent dimension is left out of a sample\'s label score (their nn.Dropout(0.2))'),
  seed: int().optional().describe('seed of the data and split; defaults to the top-level `seed`'),
  split: split.prefault({}),
}).superRefine((d, ctx) => {
  const chosen = Object.values(d.label_from).reduce((a, v) => a + Math.floor(v * d.latent_dim), 0);
  if (chosen === 0) ctx.addIssue({ code: 'custom', path: ['label_from'], message: `no latent dimension enters the label: floor(share x latent_dim ${d.latent_dim}) is 0 for every latent; raise a share` });
});


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
  group: z.string().optional().describe('column with a group per row (annotated interaction type, speaker, noise level, ...): eval, decompose and compare report accuracy and gate weights per group'),
  delimiter: z.string().length(1).default(',').describe('field delimiter'),
  modalities: z.array(csvModality).min(1).superRefine(uniqueNames).describe('the modalities and their columns'),
  seed: int().optional().describe('seed of the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
});



const npyModality = z.strictObject({
  name: identifier().describe('modality name'),
  path: z.string().optional().describe('.npy file of shape [N, ...] (float32, float64 or integer, C order); with data.splits the files are named per split there'),
  shape: shapeOf(),
});

const npySplitFiles = z.strictObject({
  labels: z.string().describe('.npy of this split\'s labels'),
  modalities: z.record(z.string(), z.string()).describe('modality name -> .npy file of this split'),
});


export const npyData = z.strictObject({
  source: z.literal('npy'),
  labels: z.string().optional().describe('.npy file of N labels (integers or strings); required unless data.splits names files per split'),
  split_file: z.string().optional().describe('CSV with columns id,split (rows in sample order) or a .npy of 0/1/2 (train/val/test); default: a stratified split by `data.split`'),
  group: z.string().optional().describe('a .npy of N groups (integers or strings), or the name of a column of the split file: eval, decompose and compare report accuracy and gate weights per group'),
  modalities: z.array(npyModality).min(1).superRefine(uniqueNames).describe('one .npy file per modality'),
  nonfinite,
  splits: z.strictObject({ train: npySplitFiles, val: npySplitFiles.optional(), test: npySplitFiles })
    .optional().describe('one file set per split, as benchmarks ship them (AV-MNIST: image/train_data.npy, image/test_data.npy, ...); then data.labels, the modalities\' paths and data.split_file are not used'),
  val_from_train: valFromTrain.optional(),
  label_transform: labelTransform.optional(),
  seed: int().optional().describe('seed of the split; defaults to the top-level `seed`'),
  split: split.prefault({}),
}).superRefine((d, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!d.splits) {
    if (d.labels === undefined) issue(['labels'], 'required: a .npy of labels (or data.splits with files per split)');
    d.modalities.forEach((m, i) => m.path === undefined && issue(['modalities', i, 'path'], `required: modality ${m.name}'s .npy file (or data.splits with files per split)`));
    if (d.val_from_train) issue(['val_from_train'], 'only with data.splits (files per split)');
    return;
  }
  if (d.labels !== undefined) issue(['labels'], 'with data.splits the labels are named per split (data.splits.<split>.labels)');
  if (d.split_file !== undefined) issue(['split_file'], 'with data.splits the files say the split');
  d.modalities.forEach((m, i) => m.path !== undefined && issue(['modalities', i, 'path'], 'with data.splits the files are named per split (data.splits.<split>.modalities)'));
  const names = d.modalities.map((m) => m.name);
  for (const [split, files] of Object.entries(d.splits)) {
    if (!files) continue;
    const missing = names.filter((n) => !(n in files.modalities));
    const extra = Object.keys(files.modalities).filter((n) => !names.includes(n));
    if (missing.length) issue(['splits', split, 'modalities'], `no file for modality ${missing.join(', ')}`);
    if (extra.length) issue(['splits', split, 'modalities', extra[0]], `no modality "${extra[0]}" in data.modalities (${names.join(', ')})`);
  }
  if (!d.splits.val && !d.val_from_train) issue(['splits'], 'no validation split: add data.splits.val, or data.val_from_train ({last: N} or {fraction: f})');
  if (d.splits.val && d.val_from_train) issue(['val_from_train'], 'data.splits.val already names the validation files');
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

export const dataSchema = z.discriminatedUnion('source', [syntheticData, liangData, csvData, npyData, idxData, pairsData, pickleData, hdf5Data]).describe('the dataset');

/** Keys whose values are file paths: relative ones resolve against the config file's folder. */
export const PATH_KEYS: readonly (readonly string[])[] = [
  ['data', 'path'], ['data', 'split_file'], ['data', 'images'], ['data', 'test_images'], ['data', 'test_labels'],
  ['data', 'modalities', '*', 'path'],
  ['data', 'splits', '*', 'labels'], ['data', 'splits', '*', 'modalities', '*'],
];
/** `data.labels` is a path for the npy, idx and pairs sources; npy's `data.group` when it names a .npy. */
export const isPathKey = (path: readonly (string | number)[], source: unknown, value?: unknown): boolean =>
  (path.length === 2 && path[0] === 'data' && path[1] === 'labels' && (source === 'npy' || source === 'idx' || source === 'pairs'))
  // npy's data.group is a .npy file, or a column name of the split file (not a path).
  || (path.length === 2 && path[0] === 'data' && path[1] === 'group' && source === 'npy' && typeof value === 'string' && value.endsWith('.npy'))
  || PATH_KEYS.some((k) => k.length === path.length && k.every((part, i) => part === '*' || part === path[i]));

export type DataConfig = z.infer<typeof dataSchema>;
export type SyntheticConfig = z.infer<typeof syntheticData>;
export type LiangConfig = z.infer<typeof liangData>;
export type CsvConfig = z.infer<typeof csvData>;
export type NpyConfig = z.infer<typeof npyData>;
export type IdxConfig = z.infer<typeof idxData>;
export type PairsConfig = z.infer<typeof pairsData>;
export type { Hdf5Config, PickleConfig } from './fileSources';
