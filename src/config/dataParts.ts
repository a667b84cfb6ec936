// Pieces of the `data` section that several sources share: the stratified split, a sample's
// shape, label transforms, the non-finite policy and a validation split taken from training.
import { z } from 'zod';
import { int, positiveInt } from './primitives';

export const split = z
  .strictObject({
    val: z.number().gt(0).lt(1).default(0.15).describe('share of samples held out for validation (model selection, early stopping)'),
    test: z.number().gt(0).lt(1).default(0.15).describe('share of samples held out for the final test'),
  })
  .refine((s) => s.val + s.test < 0.9, { message: 'val + test must leave at least 10% for training' })
  .describe('stratified split, drawn from the data seed');

export const shapeOf = () => z.array(positiveInt()).min(1).optional().describe('shape of one sample, e.g. [28, 28, 1] for an image or [50, 8] for a sequence (default: a vector of the columns); checked against the data');

/** From regression labels to classes (CMU-MOSI/MOSEI sentiment in [-3, 3]). */
export const labelTransform = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('binary'),
    threshold: z.number().default(0).describe('class 1 above it, 0 at or below'),
    drop_equal: z.boolean().default(false).describe('drop samples whose label equals the threshold (MOSI\'s "non-zero" protocol)'),
  }),
  z.strictObject({
    type: z.literal('bins'),
    low: int().default(-3).describe('the lowest class: labels below are clipped to it'),
    high: int().default(3).describe('the highest class: labels above are clipped to it'),
  }),
]).describe('regression labels to classes: binary (label > threshold) or bins (rounded and clipped to [low, high], e.g. 7-class MOSI); dropped samples are counted in data.json and every evaluation');
export type LabelTransform = z.infer<typeof labelTransform>;

/** What a source does with NaN and infinite feature values. */
export const NONFINITE_POLICIES = ['error', 'zero'] as const;
export type NonfinitePolicy = (typeof NONFINITE_POLICIES)[number];

export const nonfinite = z.enum(NONFINITE_POLICIES).default('error').describe('NaN and infinite feature values: error (one line with the modality, the counts and the first place) or zero (replaced by 0, as MultiBench does; the counts go into data.json)');

export const valFromTrain = z.strictObject({
  last: positiveInt().optional().describe('the last N training samples, in file order (AV-MNIST: 5000)'),
  fraction: z.number().gt(0).lt(1).optional().describe('a seeded, class-stratified share of the training samples'),
}).refine((v) => (v.last === undefined) !== (v.fraction === undefined), { message: 'give one of last (the last N training samples) or fraction (a seeded share of them)' })
  .describe('the validation split taken from the training files, when data.splits has no val: {last: N} or {fraction: f}');

/** The seed of a file source's split. */
export const splitSeed = () => int().optional().describe('seed of the split; defaults to the top-level `seed`');
