// The `data` sections of the benchmark file formats read as they ship: Python pickles of split
// dicts (MultiBench's affect files) and HDF5 files (MM-IMDb, AVE features, CMU SDK .csd).
import { z } from 'zod';
import { identifier, int, uniqueNames } from './primitives';
import { labelTransform, nonfinite, shapeOf, split, splitSeed, valFromTrain } from './dataParts';

type Issue = (path: (string | number)[], message: string) => void;
const issues = (ctx: z.RefinementCtx): Issue => (path, message) => ctx.addIssue({ code: 'custom', path, message });

/** A validation split needs either the file's own or a rule for taking one from training. */
function needValidation(hasVal: boolean, rule: unknown, issue: Issue, valKey: string): void {
  if (!hasVal && !rule) issue([valKey], 'no validation split: name one, or add data.val_from_train ({last: N} or {fraction: f})');
  if (hasVal && rule) issue(['val_from_train'], `${valKey} already gives the validation split`);
}

const pickleModality = z.strictObject({
  name: identifier().describe('modality name'),
  key: z.string().optional().describe('its key in each split\'s dict (default: the name); MultiBench: vision, audio, text'),
  shape: shapeOf(),
});

export const pickleData = z.strictObject({
  source: z.literal('pickle'),
  path: z.string().describe('the pickle: a dict of splits, each a dict of numpy arrays (MultiBench\'s mosi_raw.pkl, mosei_senti_data.pkl, sarcasm.pkl, humor.pkl); only numpy array reconstruction runs, any other Python callable it names is refused'),
  splits: z.strictObject({
    train: z.string().default('train').describe('key of the training split'),
    val: z.string().nullable().default('valid').describe('key of the validation split (MultiBench: valid); null to take it from training by data.val_from_train'),
    test: z.string().default('test').describe('key of the test split'),
  }).prefault({}).describe('the keys of the splits in the top-level dict'),
  labels: z.string().default('labels').describe('key of the labels in each split: integers or strings, or numbers with data.label_transform (MultiBench: labels, shape (N, 1, 1))'),
  ids: z.string().optional().describe('key of the sample ids in each split (MultiBench: id; strings or bytes); default: <split>/<row>'),
  modalities: z.array(pickleModality).min(1).superRefine(uniqueNames).describe('the modalities to use, by key; the file may hold more'),
  nonfinite,
  val_from_train: valFromTrain.optional(),
  label_transform: labelTransform.optional(),
  seed: splitSeed(),
}).superRefine((d, ctx) => needValidation(d.splits.val !== null, d.val_from_train, issues(ctx), 'splits.val'));

const hdf5Modality = z.strictObject({
  name: identifier().describe('modality name'),
  dataset: z.string().optional().describe('path of its dataset in the file, shape (N, ...) (default: the name); MM-IMDb: features, vgg_features'),
  shape: shapeOf(),
});

const range = z.tuple([int().min(0), int().min(0)]).refine(([a, b]) => b > a, { message: 'the end must be above the start' })
  .describe('rows [start, end) of the file');

export const hdf5Data = z.strictObject({
  source: z.literal('hdf5'),
  path: z.string().describe('the HDF5 file (read through h5wasm; only the datasets named here are read)'),
  labels: z.string().describe('path of the labels dataset: (N,) integers or strings, or (N, C) one-hot rows (MM-IMDb: genres)'),
  onehot_other: z.enum(['error', 'drop']).default('error')
    .describe('labels given as (N, C) rows that are not exactly one-hot (several classes, or none): error names the first such row; drop leaves those samples out and counts them in data.json (a single-label subset: not a multi-label protocol)'),
  ids: z.string().optional().describe('path of the sample ids dataset (strings, bytes or integers; MM-IMDb: imdb_ids); default: the row'),
  modalities: z.array(hdf5Modality).min(1).superRefine(uniqueNames).describe('the modalities to use, by dataset path'),
  splits: z.strictObject({ train: range, val: range.optional(), test: range })
    .optional().describe('splits as row ranges (MM-IMDb: train [0, 15552], val [15552, 18160], test [18160, 25959])'),
  split_dataset: z.string().optional().describe('path of a dataset with each row\'s split: 0/1/2 or train/val/valid/test'),
  nonfinite,
  val_from_train: valFromTrain.optional(),
  label_transform: labelTransform.optional(),
  seed: splitSeed(),
  split: split.prefault({}),
}).superRefine((d, ctx) => {
  const issue = issues(ctx);
  if (d.splits && d.split_dataset) issue(['split_dataset'], 'give the splits either as row ranges (data.splits) or as a dataset, not both');
  if (d.splits) needValidation(d.splits.val !== undefined, d.val_from_train, issue, 'splits.val');
  else if (d.val_from_train) issue(['val_from_train'], 'only with data.splits (row ranges)');
  if (d.label_transform && d.onehot_other === 'drop') issue(['onehot_other'], 'one-hot labels are classes; a label transform is for numeric labels');
});

export type PickleConfig = z.infer<typeof pickleData>;
export type Hdf5Config = z.infer<typeof hdf5Data>;
