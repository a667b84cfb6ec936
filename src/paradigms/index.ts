// Paradigm registry: config -> model.
import type { Config } from '../config/schema';
import { buildEnsemble, buildJoint, buildUnimodal } from './baselines';
import { buildDmil } from './dmil';
import type { ModelSpec, ParadigmModel } from './paradigm';

export function buildModel(config: Config, spec: ModelSpec): ParadigmModel {
  switch (config.model.paradigm) {
    case 'unimodal':
      return buildUnimodal(config.model, spec, config.seed);
    case 'joint':
      return buildJoint(config.model, spec, config.seed);
    case 'ensemble':
      return buildEnsemble(config.model, spec, config.seed);
    case 'dmil':
      return buildDmil(config, spec);
  }
}
