// `dmil pid`: how much of the label information in the data is redundant, unique to each modality
// and synergistic, measured without DMIL (README, "Interactions measured without DMIL").
//   exact: each modality discretised by k-means (pid.discretise: on the standardised features, or
//          Liang et al.'s unit rows and PCA; fitted on the training split), then the exact PID of
//          the plug-in joint of (cluster 1, cluster 2, label) on the evaluated samples;
//   batch: Liang et al.'s neural estimator on the features, with unimodal and joint classifiers
//          trained on the training split (epoch chosen on validation) and evaluated on held-out samples;
//   pointwise: per-sample scores from the same classifiers.
// Intervals: percentile bootstrap over the evaluated samples (the estimators are not refitted).
import { bootstrapIntervals, bootstrapIntervalsAsync, type Interval } from '../analysis/intervals';
import { fitBatchEstimator, type BatchInputs } from './batch';
import { jointFromSamples, pidExact, type Pid } from './exact';
import { discretise, LIANG_PCA_COMPONENTS, type SourceScale } from './discretise';
import { pointwiseScores, type PointwiseScores } from './pointwise';
import { configFromObject } from '../config/load';
import type { Config } from '../config/schema';
import { featureSize, splitIndices, type Dataset, type EvalSplit } from '../data/dataset';
import { UserError } from '../errors';
import type { Logger } from '../log';
import { buildModel } from '../paradigms';
import { Rng } from '../rng';
import { runStage } from '../train/loop';
import { classPrior, modelSpec } from '../experiment/data';
import { predictSamples } from '../experiment/predict';

export type PidEstimator = 'exact' | 'batch';
export const PID_KEYS = ['R', 'U1', 'U2', 'S', 'H_Y', 'I_X1_Y', 'I_X2_Y', 'I_X1X2_Y'] as const;

export interface PidEstimate {
  /** In bits. */
  values: Record<(typeof PID_KEYS)[number], number>;
  /**
   * 95% percentile bootstrap intervals over the evaluated samples (empty with pid.bootstrap 0). They
   * show sampling variability; plug-in information estimates also shift on resamples (duplicates
   * look like dependence), so a small estimate can sit just below its interval.
   */
  intervals: Partial<Record<(typeof PID_KEYS)[number], Interval>>;
  /** How the estimate was made, in words. */
  method: string;
  extra: Record<string, number | boolean>;
}

export interface PidReport {
  split: EvalSplit;
  samples: number;
  modalities: [string, string];
  /** Every modality of the data, when it has more than the two measured. */
  of?: string[];
  classes: number;
  /** Resamples behind every interval (pid.bootstrap). */
  bootstrap: number;
  exact?: PidEstimate;
  batch?: PidEstimate;
  pointwise?: { indices: Int32Array; scores: PointwiseScores };
}

export interface PidRequest {
  config: Config;
  data: Dataset;
  estimators: PidEstimator[];
  /** Default: all samples for exact alone, else the test split (the classifiers train on train). */
  split?: EvalSplit;
  pointwise: boolean;
  /** The two modalities to measure, by name; required when the data has more than two. */
  modalities?: string[];
  /** How each modality of `data` was standardised (data.json), by modality name; pid.discretise liang2023 works on the source's features. */
  standardisation?: (SourceScale & { modality: string })[];
  logger: Logger;
}

/** The data with only the two modalities the PID measures: the named ones, or the only two. */
export function pidPair(data: Dataset, names?: string[]): Dataset {
  const all = data.modalities.map((m) => m.name);
  if (!names) {
    if (all.length === 2) return data;
    throw new UserError(`this data has ${all.length} modalities (${all.join(', ')}); the PID here is defined for two`, { where: '--modalities', hint: `name the two to measure, e.g. --modalities ${all.slice(0, 2).join(',')}` });
  }
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) throw new UserError(`no modality ${unknown.map((n) => `"${n}"`).join(', ')} in this data`, { where: '--modalities', hint: `the modalities are ${all.join(', ')}` });
  if (names.length !== 2 || names[0] === names[1]) throw new UserError(`the PID measures two different modalities; got ${names.length === 2 ? `"${names[0]}" twice` : names.length}`, { where: '--modalities', hint: `name two of ${all.join(', ')}, e.g. --modalities ${all.slice(0, 2).join(',')}` });
  return { ...data, modalities: names.map((n) => data.modalities[all.indexOf(n)]) };
}

/** Fewest evaluated samples for any estimate, and per k-means cluster for the exact one. */
export const MIN_PID_SAMPLES = 30;
export const SAMPLES_PER_CLUSTER = 10;

const pick = (p: Pid) => Object.fromEntries(PID_KEYS.map((k) => [k, p[k]])) as PidEstimate['values'];

export async function measurePid(req: PidRequest): Promise<PidReport> {
  const { config, logger } = req;
  const data = pidPair(req.data, req.modalities);
  const needsClassifiers = req.estimators.includes('batch') || req.pointwise;
  const split: EvalSplit = req.split ?? (needsClassifiers ? 'test' : 'all');
  const evaluate = splitIndices(data, split);
  requireEnoughSamples(evaluate.length, split, req.estimators.includes('exact') ? config.pid.clusters : 0, needsClassifiers);
  if (needsClassifiers && (splitIndices(data, 'train').length === 0 || splitIndices(data, 'val').length === 0)) {
    throw new UserError('the batch estimator and pointwise scores need training and validation splits to fit their classifiers', { where: 'data', hint: 'use --estimator exact, or data with train and val rows' });
  }
  const report: PidReport = { split, samples: evaluate.length, modalities: [data.modalities[0].name, data.modalities[1].name], classes: data.classNames.length, bootstrap: config.pid.bootstrap };
  if (req.data.modalities.length > 2) report.of = req.data.modalities.map((m) => m.name);
  if (req.estimators.includes('exact')) report.exact = exactEstimate(config, data, split, evaluate, logger, req.standardisation);
  if (needsClassifiers) {
    const classifiers = await fitClassifiers(config, data, logger);
    if (req.estimators.includes('batch')) report.batch = await batchEstimate(config, data, split, evaluate, classifiers, logger);
    if (req.pointwise) report.pointwise = { indices: evaluate, scores: pointwiseScores(classifiers.p1, classifiers.p2, classifiers.p12, data.labels, classPrior(data), evaluate) };
  }
  return report;
}

/** At least MIN_PID_SAMPLES evaluated samples, and SAMPLES_PER_CLUSTER per k-means cluster for the exact estimator (`clusters` 0: not asked). */
function requireEnoughSamples(n: number, split: EvalSplit, clusters: number, needsClassifiers: boolean): void {
  const need = Math.max(MIN_PID_SAMPLES, SAMPLES_PER_CLUSTER * clusters);
  if (n >= need) return;
  const why = need > MIN_PID_SAMPLES ? `the exact estimator needs at least ${need} (${SAMPLES_PER_CLUSTER} per cluster, pid.clusters ${clusters}), or its plug-in joint is mostly empty cells` : `an information estimate needs at least ${MIN_PID_SAMPLES}`;
  throw new UserError(`${split === 'all' ? 'the data has' : `the ${split} split has`} ${n} samples; ${why}`, { where: '--split', hint: `use more data${split !== 'all' && !needsClassifiers ? ', --split all' : ''}${need > MIN_PID_SAMPLES ? `, or fewer clusters (--set pid.clusters=${Math.max(2, Math.floor(n / SAMPLES_PER_CLUSTER))})` : ''}` });
}

/** Each modality discretised by k-means (fitted on the training split), then the exact PID of the plug-in joint on `evaluate`. */
function exactEstimate(config: Config, data: Dataset, split: EvalSplit, evaluate: Int32Array, logger: Logger, standardisation?: PidRequest['standardisation']): PidEstimate {
  const { clusters: k, discretise: method } = config.pid;
  const train = splitIndices(data, 'train');
  const clusters = data.modalities.map((m, i) => discretise(m.values, data.labels.length, featureSize(m), {
    method, clusters: k, rng: Rng.derive(config.seed, `pid-kmeans-${i}`), fitRows: train.length ? train : undefined, sourceScale: standardisation?.find((s) => s.modality === m.name),
  }));
  const exactOn = (idx: Int32Array) => {
    const rows = Int32Array.from(idx, (i) => evaluate[i]);
    return jointFromSamples(Int32Array.from(rows, (r) => clusters[0][r]), Int32Array.from(rows, (r) => clusters[1][r]), Int32Array.from(rows, (r) => data.labels[r]), k, k, data.classNames.length);
  };
  const all = Int32Array.from(evaluate.keys());
  const full = pidExact(exactOn(all), { tolerance: config.pid.tolerance });
  logger.info(`exact: ${k} clusters per modality, ${full.iterations} iterations${full.converged ? '' : ' (not converged)'}`);
  const B = config.pid.bootstrap;
  const intervals = B > 0 ? bootstrapIntervals(all.length, (idx) => pick(pidExact(exactOn(idx), { tolerance: Math.max(config.pid.tolerance, 1e-6) })), B, config.seed) : {};
  const features = method === 'standardised' ? 'the standardised features' : `each sample's source features scaled to unit L2 norm and projected on ${LIANG_PCA_COMPONENTS} principal components (Liang et al. 2023)`;
  return {
    values: pick(full), intervals,
    method: `k-means with ${k} clusters per modality on ${features}, fitted on ${train.length ? 'the training split' : 'every sample'}; exact PID of the plug-in joint on ${split} (${evaluate.length} samples); solver stops below ${config.pid.tolerance} bits per iteration`,
    extra: { iterations: full.iterations, converged: full.converged, I_q: full.I_q },
  };
}

/** Liang et al.'s neural estimator: q learned on the features of the training split, read on `evaluate`. */
async function batchEstimate(config: Config, data: Dataset, split: EvalSplit, evaluate: Int32Array, classifiers: Classifiers, logger: Logger): Promise<PidEstimate> {
  const b = config.pid.batch;
  const inputs: BatchInputs = {
    x1: data.modalities[0].values, x2: data.modalities[1].values, d1: featureSize(data.modalities[0]), d2: featureSize(data.modalities[1]), ...classifiers, classes: data.classNames.length,
  };
  const est = fitBatchEstimator(inputs, splitIndices(data, 'train'), { batchSize: b.batch_size, epochs: b.epochs, hidden: b.hidden, lr: b.lr, sinkhornIterations: b.sinkhorn_iterations, seed: config.seed });
  try {
    const full = await est.estimate(evaluate);
    if (!Number.isFinite(full.I_q)) logger.warn('batch: the learned q became NaN; its R, U1, U2, S are not defined (try a smaller pid.batch.lr)');
    const B = config.pid.bootstrap;
    const intervals = B > 0 ? await bootstrapIntervalsAsync(evaluate.length, async (idx) => pick(await est.estimate(Int32Array.from(idx, (i) => evaluate[i]))), B, config.seed) : {};
    return {
      values: pick(full), intervals,
      method: `a variant of BATCH (Liang et al. 2023; one score per class, ${b.sinkhorn_iterations} Sinkhorn steps, batch marginals): q learned on batches of ${b.batch_size} training samples over ${b.epochs} epochs, estimated on ${split} (${evaluate.length} samples); classifiers: ${config.model.backbone.type} backbones, epoch chosen on validation`,
      extra: { I_q: full.I_q, batches: full.batches },
    };
  } finally {
    est.dispose();
  }
}

/** p(y | x1), p(y | x2) and p(y | x1, x2) for every sample, each [n, classes]. */
interface Classifiers { p1: Float32Array; p2: Float32Array; p12: Float32Array }

/** p(y | x1), p(y | x2), p(y | x1, x2) for every sample, from classifiers trained on the training split. */
async function fitClassifiers(config: Config, data: Dataset, logger: Logger): Promise<Classifiers> {
  const common = { backbone: config.model.backbone, backbones: config.model.backbones, init: config.model.init };
  const variants = [
    { paradigm: 'unimodal', modality: data.modalities[0].name, ...common },
    { paradigm: 'unimodal', modality: data.modalities[1].name, ...common },
    { paradigm: 'joint', ...common },
  ];
  const all = Int32Array.from(data.labels.keys());
  const out: Float32Array[] = [];
  for (const model of variants) {
    const c = configFromObject({ ...config, model }).config;
    const m = buildModel(c, modelSpec(data));
    try {
      const o = await runStage({ stage: m.stages[0], model: m, data, train: c.train, seed: config.seed, logger: { ...logger, info: () => undefined, progress: logger.progress } });
      logger.info(`classifier ${model.paradigm === 'joint' ? 'joint' : `on ${(model as { modality: string }).modality}`}: kept epoch ${o.bestEpoch}, val accuracy ${o.best.accuracy.toFixed(4)}`);
      out.push((await predictSamples(m, data, all, c.train.eval_batch_size)).probs);
    } finally {
      m.params.dispose();
    }
  }
  return { p1: out[0], p2: out[1], p12: out[2] };
}
