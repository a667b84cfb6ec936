// Paradigm registry: config -> model.
import type { Config, ModelOf, ParadigmName, TrainConfig } from '../config/schema';
import { buildEnsemble, buildJoint, buildUnimodal } from './baselines';
import { buildDmil } from './dmil';
import { buildI2m2 } from './i2m2';
import { buildI2moe } from './i2moe';
import { buildLateFusion } from './lateFusion';
import { buildMla } from './mla';
import { buildOgmGe } from './ogmGe';
import { buildPmr } from './pmr';
import { buildQmf } from './qmf';
import type { ModelSpec, ParadigmModel } from './paradigm';

type Builder<P extends ParadigmName> = (model: ModelOf<P>, train: TrainConfig, spec: ModelSpec, seed: number) => ParadigmModel;

/** One line per paradigm: its config variant (schema.ts) and its builder. */
const BUILDERS: { [P in ParadigmName]: Builder<P> } = {
  unimodal: buildUnimodal,
  joint: buildJoint,
  ensemble: buildEnsemble,
  'late-fusion': buildLateFusion,
  i2m2: buildI2m2,
  'ogm-ge': buildOgmGe,
  qmf: buildQmf,
  pmr: buildPmr,
  mla: buildMla,
  i2moe: buildI2moe,
  dmil: buildDmil,
};

export function buildModel(config: Config, spec: ModelSpec): ParadigmModel {
  const build = BUILDERS[config.model.paradigm] as Builder<ParadigmName>;
  return build(config.model, config.train, spec, config.seed);
}
