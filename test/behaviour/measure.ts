// What the method must do on data with known interaction types, measured on small synthetic
// sets that train in seconds: used by behaviour.test.ts at one seed, and by calibrate.ts over
// many seeds to choose the test's thresholds with margin.
import { configFromObject } from '../../src/config/load';
import { splitIndices } from '../../src/data/dataset';
import { argmaxRows } from '../../src/analysis/metrics';
import { modelSpec, prepareForTraining } from '../../src/experiment/data';
import { predictSamples, type Predictions } from '../../src/experiment/predict';
import { componentName, INTERACTION_TYPES, interactionTypes, type InteractionType } from '../../src/interactionTypes';
import { silentLogger } from '../../src/log';
import { buildModel } from '../../src/paradigms';
import { runStage } from '../../src/train/loop';

/** Four types, modality b noisier, 3 classes: small enough for the test suite. */
export function mixConfig(seed: number, paradigm: string): Record<string, unknown> {
  return {
    name: 'behaviour', seed,
    data: {
      source: 'synthetic', samples: 3000, classes: 3, mix: { R: 0.25, U1: 0.25, U2: 0.25, S: 0.25 },
      modalities: [{ name: 'a', dim: 16, noise: 0.6 }, { name: 'b', dim: 16, noise: 0.9 }], cue: 1,
    },
    model: { paradigm, backbone: { hidden: [64], out: 32 }, ...(paradigm === 'dmil' ? { dmil: { latent: 16 } } : {}) },
    train: { epochs: 20, batch_size: 64, early_stop: { patience: 5 } },
  };
}

/** Every sample XOR-synergy (label = (a + b) mod 3). */
export function xorConfig(seed: number, paradigm: string): Record<string, unknown> {
  const c = mixConfig(seed, paradigm) as { data: Record<string, unknown> };
  return { ...c, data: { ...c.data, mix: { S: 1 }, modalities: [{ name: 'a', dim: 16, noise: 0.4 }, { name: 'b', dim: 16, noise: 0.4 }] } };
}

/** Trains a config in process and predicts its test split. */
export async function trainAndPredict(raw: Record<string, unknown>): Promise<Predictions> {
  const { config } = configFromObject(raw);
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  try {
    for (const stage of model.stages) await runStage({ stage, model, data, train: stage.train ?? config.train, seed: config.seed, logger: silentLogger });
    return predictSamples(model, data, splitIndices(data, 'test'), 1024);
  } finally {
    model.params.dispose();
  }
}

/** Accuracy of a [n, C] probability array on the samples of one type (all samples when undefined). */
export function accuracyOn(p: Predictions, probs: Float32Array, type?: InteractionType): number {
  const pred = argmaxRows(probs, p.classes);
  let hit = 0;
  let n = 0;
  p.labels.forEach((y, i) => {
    if (type && p.types![i] !== type) return;
    n++;
    if (pred[i] === y) hit++;
  });
  return hit / n;
}

/** Mean gate weight of each component over the samples of one type. */
export function gateOn(p: Predictions, type: InteractionType): Record<string, number> {
  const comps = Object.keys(p.components!);
  const sums = comps.map(() => 0);
  let n = 0;
  p.types!.forEach((t, i) => {
    if (t !== type) return;
    n++;
    comps.forEach((_, c) => (sums[c] += p.gate![i * comps.length + c]));
  });
  return Object.fromEntries(comps.map((c, j) => [c, sums[j] / n]));
}

export interface MixBehaviour {
  /** Per type: the own component's gate weight minus the largest other weight (> 0: own is largest). */
  gateMargin: Record<InteractionType, number>;
  /**
   * The specification's contrasts: g_S on S samples minus on R samples; g_U1 on U1 samples minus
   * on U2 samples; g_U2 on U2 samples minus on U1 samples.
   */
  gateContrast: { S: number; U1: number; U2: number };
  /** DMIL's accuracy on S samples minus the ensemble's. */
  sOverEnsemble: number;
  /** Per type: the own component head's accuracy minus the best other head's, on that type's samples. */
  headMargin: Record<InteractionType, number>;
  /** U1 head minus U2 head on U1 samples; U2 minus U1 on U2 samples. */
  u1OverU2: number;
  u2OverU1: number;
  accuracy: { dmil: number; ensemble: number };
}

export async function mixBehaviour(seed: number): Promise<MixBehaviour> {
  const dmil = await trainAndPredict(mixConfig(seed, 'dmil'));
  const ensemble = await trainAndPredict(mixConfig(seed, 'ensemble'));
  // Components keyed by the type they are for (outputs name U1, U2 after the modalities).
  const modalities = Object.keys(dmil.unimodal!);
  const byType = <T>(rec: Record<string, T>) => Object.fromEntries(INTERACTION_TYPES.map((t) => [t, rec[componentName(t, modalities)]])) as Record<InteractionType, T>;
  const comps = byType(dmil.components!);
  const margin = (own: number, others: number[]) => own - Math.max(...others);
  const gateMargin = {} as Record<InteractionType, number>;
  const g = Object.fromEntries(INTERACTION_TYPES.map((t) => [t, byType(gateOn(dmil, t))])) as Record<InteractionType, Record<string, number>>;
  const gateContrast = { S: g.S.S - g.R.S, U1: g.U1.U1 - g.U2.U1, U2: g.U2.U2 - g.U1.U2 };
  const headMargin = {} as Record<InteractionType, number>;
  for (const t of INTERACTION_TYPES) {
    gateMargin[t] = margin(g[t][t], INTERACTION_TYPES.filter((c) => c !== t).map((c) => g[t][c]));
    const acc = Object.fromEntries(INTERACTION_TYPES.map((c) => [c, accuracyOn(dmil, comps[c], t)]));
    headMargin[t] = margin(acc[t], INTERACTION_TYPES.filter((c) => c !== t).map((c) => acc[c]));
  }
  return {
    gateMargin,
    gateContrast,
    sOverEnsemble: accuracyOn(dmil, dmil.probs, 'S') - accuracyOn(ensemble, ensemble.probs, 'S'),
    headMargin,
    u1OverU2: accuracyOn(dmil, comps.U1, 'U1') - accuracyOn(dmil, comps.U2, 'U1'),
    u2OverU1: accuracyOn(dmil, comps.U2, 'U2') - accuracyOn(dmil, comps.U1, 'U2'),
    accuracy: { dmil: accuracyOn(dmil, dmil.probs), ensemble: accuracyOn(ensemble, ensemble.probs) },
  };
}

export interface XorBehaviour {
  ensemble: number;
  dmil: number;
  /** Share the ensemble gets right while both its members are wrong. */
  ensembleSynergy: number;
}

export async function xorBehaviour(seed: number): Promise<XorBehaviour> {
  const dmil = await trainAndPredict(xorConfig(seed, 'dmil'));
  const ensemble = await trainAndPredict(xorConfig(seed, 'ensemble'));
  const pred = argmaxRows(ensemble.probs, ensemble.classes);
  const members = Object.values(ensemble.unimodal!).map((u) => argmaxRows(u, ensemble.classes));
  const synergy = ensemble.labels.reduce((a, y, i) => a + (pred[i] === y && members.every((m) => m[i] !== y) ? 1 : 0), 0) / ensemble.labels.length;
  return { ensemble: accuracyOn(ensemble, ensemble.probs), dmil: accuracyOn(dmil, dmil.probs), ensembleSynergy: synergy };
}

/** Three modalities with types R, U1, U2, U3, S (S: y = a_1 + a_2 + a_3 mod 3), small enough for the test suite. */
export function mix3Config(seed: number, paradigm: string): Record<string, unknown> {
  const c = mixConfig(seed, paradigm) as { data: Record<string, unknown> };
  return {
    ...c,
    data: {
      ...c.data, samples: 4000, mix: { R: 0.2, U1: 0.2, U2: 0.2, U3: 0.2, S: 0.2 },
      modalities: [{ name: 'a', dim: 16, noise: 0.5 }, { name: 'b', dim: 16, noise: 0.6 }, { name: 'c', dim: 16, noise: 0.7 }],
    },
  };
}

export interface Mix3Behaviour {
  /** Per type: the own component's gate weight minus the largest other weight (> 0: own is largest). */
  gateMargin: Record<string, number>;
  accuracy: { dmil: number; joint: number };
  /** Accuracy on the S (three-way synergy) samples. */
  sAccuracy: { dmil: number; joint: number };
}

export async function mix3Behaviour(seed: number): Promise<Mix3Behaviour> {
  const dmil = await trainAndPredict(mix3Config(seed, 'dmil'));
  const joint = await trainAndPredict(mix3Config(seed, 'joint'));
  const modalities = Object.keys(dmil.unimodal!);
  const types = interactionTypes(modalities.length);
  const gateMargin: Record<string, number> = {};
  for (const t of types) {
    const g = gateOn(dmil, t);
    const own = componentName(t, modalities);
    gateMargin[t] = g[own] - Math.max(...Object.entries(g).filter(([c]) => c !== own).map(([, v]) => v));
  }
  return {
    gateMargin,
    accuracy: { dmil: accuracyOn(dmil, dmil.probs), joint: accuracyOn(joint, joint.probs) },
    sAccuracy: { dmil: accuracyOn(dmil, dmil.probs, 'S'), joint: accuracyOn(joint, joint.probs, 'S') },
  };
}
