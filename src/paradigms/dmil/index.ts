// The DMIL paradigm: the network of network.ts trained in up to three stages (dmil-method.md,
// "Training: three stages"), predicting with the gated mixture of R, U1, U2 and S.
import * as tf from '@tensorflow/tfjs-core';
import type { DmilStageConfig, DmilStageName, ModelOf, TrainConfig } from '../../config/schema';
import { UserError } from '../../errors';
import { componentName, type InteractionType } from '../../interactionTypes';
import { Params } from '../../models/params';
import { Rng } from '../../rng';
import type { LossTerms, ModelSpec, ParadigmModel, Stage } from '../paradigm';
import { adversaryTerms, clubFitLoss, crossTerms, gateTerms, intraTerms, mixture, warmupTerm, weightedL1, weightedL2 } from './losses';
import { buildNetwork, componentsFor, type Noise } from './network';

/** Parameter groups each stage trains (everything else is frozen). */
const TRAINS: Record<DmilStageName, string[]> = {
  'decompose-intra': ['enc', 'id', 'probe', 'warm'],
  'decompose-cross': ['cd', 'syn', 'gate'],
  finetune: ['enc', 'id', 'probe', 'cd', 'syn', 'gate'],
};

/** A stage's training settings: the stage entry over `train`; finetune defaults to half the learning rate. */
export function stageTrainConfig(train: TrainConfig, entry: DmilStageConfig): TrainConfig {
  const baseLr = train.optimizer.lr * (entry.name === 'finetune' ? 0.5 : 1);
  return {
    ...train,
    epochs: entry.epochs ?? train.epochs,
    optimizer: { ...train.optimizer, ...entry.optimizer, lr: entry.lr ?? entry.optimizer?.lr ?? baseLr },
    schedule: { ...train.schedule, ...entry.schedule },
    early_stop: { ...train.early_stop, ...entry.early_stop },
  };
}

export function buildDmil(model: ModelOf<'dmil'>, train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  if (spec.modalityNames.length < 2) {
    throw new UserError(`dmil needs at least 2 modalities; this data has ${spec.modalityNames.length}`, { where: 'model.paradigm', hint: 'use unimodal for one' });
  }
  const dmil = model.dmil;
  const params = new Params(model.init);
  const net = buildNetwork(params, model, dmil, spec, seed);
  // Each stage's noise stream starts at a base drawn once from the seed; step s uses base + s.
  const noiseBase = new Map(dmil.stages.map((e) => [e.name, Rng.derive(seed, `noise-${e.name}`).nextUint32() % (1 << 20)]));
  const ctx: StageContext = {
    net, dmil, params, train, modalities: spec.modalityNames.length,
    prior: spec.classPrior ?? new Array(spec.classes).fill(1 / spec.classes),
    noiseFor: (stage, training, step) => (training ? { seed: (noiseBase.get(stage)! + step) % (1 << 26) } : null),
  };
  return {
    paradigm: 'dmil',
    params,
    stages: dmil.stages.map((entry) => (entry.name === 'decompose-intra' ? intraStage(entry, ctx) : crossStage(entry, ctx))),
    modalities: spec.modalityNames,
    predict(inputs) {
      const intra = net.intra(inputs, null);
      const g = net.gate(intra, net.cross(intra, null));
      return {
        probs: mixture(g),
        unimodal: Object.fromEntries(intra.logitsM.map((l, m) => [spec.modalityNames[m], tf.softmax(l) as tf.Tensor2D])),
        // Outputs name U1 and U2 after their modalities (U_audio, gate_U_audio).
        components: Object.fromEntries(componentsFor(spec.modalityNames.length).map((c, i) => [componentName(c as InteractionType, spec.modalityNames), g.probs[i]])),
        gate: g.gate,
      };
    },
    labelFreeRepresentations(inputs) {
      const intra = net.intra(inputs, null);
      return Object.fromEntries(intra.N.map((n, m) => [`N_${spec.modalityNames[m]}`, n.value]));
    },
    probeCeilingRepresentations(inputs) {
      const intra = net.intra(inputs, null);
      return Object.fromEntries(intra.z.map((z, m) => [`N_${spec.modalityNames[m]}`, z]));
    },
  };
}

/** What every stage's loss reads: the network, the settings, the label prior and each step's noise. */
interface StageContext {
  net: ReturnType<typeof buildNetwork>;
  modalities: number;
  dmil: ModelOf<'dmil'>['dmil'];
  params: Params;
  train: TrainConfig;
  prior: number[];
  noiseFor: (stage: DmilStageName, training: boolean, step: number) => Noise;
}

/** The stage's trainable groups (the probe only with an adversary) and its training settings. */
function stageBase(entry: DmilStageConfig, ctx: StageContext): Pick<Stage, 'name' | 'trainable' | 'train'> {
  const groups = TRAINS[entry.name].filter((g) => g !== 'probe' || ctx.dmil.adversary !== 'off');
  return { name: entry.name, trainable: ctx.params.names(groups), train: stageTrainConfig(ctx.train, entry) };
}

/** Stage 1: L1 + L_warm + the adversary; its prediction is the warm-up joint head's. */
function intraStage(entry: DmilStageConfig, ctx: StageContext): Stage {
  const { net, dmil } = ctx;
  const w = dmil.weights;
  return {
    ...stageBase(entry, ctx),
    loss(inputs, labels, training, step): LossTerms {
      const intra = net.intra(inputs, ctx.noiseFor(entry.name, training, step));
      const id = intraTerms(intra, labels);
      const warm = warmupTerm(net, intra, labels);
      const adv = adversaryTerms(net, dmil, intra, labels, tf.tensor1d(ctx.prior));
      const total = tf.addN([weightedL1(id, w, ctx.modalities), tf.mul(warm, w.warmup), ...Object.values(adv)]) as tf.Scalar;
      return { total, terms: { ...id, warm, ...adv }, probs: tf.softmax(net.warmJoint(intra.z)) as tf.Tensor2D };
    },
  };
}

/** Stage 2 (L2 + the gate's terms) and stage 3 (those, with beta L1, gamma L2 and the adversary); the prediction is the gated mixture. */
function crossStage(entry: DmilStageConfig, ctx: StageContext): Stage {
  const { net, dmil } = ctx;
  const w = dmil.weights;
  const finetune = entry.name === 'finetune';
  return {
    ...stageBase(entry, ctx),
    loss(inputs, labels, training, step): LossTerms {
      const noise = ctx.noiseFor(entry.name, training, step);
      const intra = net.intra(inputs, noise);
      const cross = net.cross(intra, noise);
      const g = net.gate(intra, cross);
      const l2 = crossTerms(net, dmil, intra, cross, labels);
      const gt = gateTerms(g, labels, dmil, finetune && dmil.finetune.mixture_to_components);
      const parts: tf.Scalar[] = [...Object.values(gt)];
      let terms: Record<string, tf.Scalar> = { ...l2, ...gt };
      if (finetune) {
        const id = intraTerms(intra, labels);
        const adv = adversaryTerms(net, dmil, intra, labels, tf.tensor1d(ctx.prior));
        parts.push(tf.mul(weightedL1(id, w, ctx.modalities), w.beta) as tf.Scalar, tf.mul(weightedL2(l2, dmil), w.gamma) as tf.Scalar, ...Object.values(adv));
        terms = { ...terms, ...id, ...adv };
      } else {
        parts.push(weightedL2(l2, dmil));
      }
      return { total: tf.addN(parts) as tf.Scalar, terms, probs: mixture(g) };
    },
    // CLUB's variational net fits in its own step, in the stages that train the U heads.
    auxiliary: dmil.mi === 'club'
      ? {
        trainable: ctx.params.names(['club']),
        loss: (inputs, _labels, step) => {
          const noise = ctx.noiseFor(entry.name, true, step);
          const intra = net.intra(inputs, noise);
          return clubFitLoss(net, net.cross(intra, noise));
        },
      }
      : undefined,
  };
}
