// The baselines of dmil-method.md, on the same backbones as DMIL:
//   unimodal: one modality, backbone + linear head;
//   joint:    all backbones, concatenate z_1..z_K, MLP head, one cross-entropy;
//   ensemble: one unimodal model per modality, each trained in its own stage with its own early
//             stopping; predicts with the mean of their probabilities.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOf, TrainConfig } from '../config/schema';
import { UserError } from '../errors';
import { buildEncoder, backboneFor } from '../models/backbone';
import { dense, mlp, type Layer } from '../models/layers';
import { crossEntropy } from '../models/losses';
import { Params } from '../models/params';
import { Rng } from '../rng';
import type { ModelSpec, ParadigmModel, Stage } from './paradigm';

interface UnimodalNet {
  prefix: string;
  modalityIndex: number;
  logits: Layer;
}

function unimodalNet(params: Params, model: ModelOf<'unimodal' | 'ensemble'>, spec: ModelSpec, m: number, prefix: string, rng: Rng): UnimodalNet {
  const name = spec.modalityNames[m];
  const enc = buildEncoder(params, `${prefix}.encoder`, spec.inputShapes[m], backboneFor(model, name, spec.modalityNames), rng, name);
  const head = dense(params, `${prefix}.head`, enc.outDim, spec.classes, rng, 'linear');
  return { prefix, modalityIndex: m, logits: (x) => head(enc.forward(x)) };
}

function ceStage(name: string, params: Params, prefixes: string[], logits: (inputs: tf.Tensor2D[]) => tf.Tensor2D): Stage {
  return {
    name,
    trainable: params.names(prefixes),
    loss: (inputs, labels) => {
      const l = logits(inputs);
      return { total: crossEntropy(l, labels), terms: {}, probs: tf.softmax(l) };
    },
  };
}

export function modalityIndex(spec: ModelSpec, name: string | undefined): number {
  if (name === undefined) return 0;
  const i = spec.modalityNames.indexOf(name);
  if (i < 0) throw new UserError(`model.modality: no modality named "${name}"`, { hint: `modalities are ${spec.modalityNames.join(', ')}` });
  return i;
}

export function buildUnimodal(model: ModelOf<'unimodal'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-unimodal');
  const m = modalityIndex(spec, model.modality);
  const net = unimodalNet(params, model, spec, m, `unimodal.${spec.modalityNames[m]}`, rng);
  const logits = (inputs: tf.Tensor2D[]) => net.logits(inputs[m]);
  return {
    paradigm: 'unimodal',
    params,
    modalities: spec.modalityNames,
    stages: [ceStage('train', params, [net.prefix], logits)],
    predict: (inputs) => ({ probs: tf.softmax(logits(inputs)) }),
  };
}

export function buildJoint(model: ModelOf<'joint'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const rng = Rng.derive(seed, 'init-joint');
  const encoders = spec.modalityNames.map((name, m) =>
    buildEncoder(params, `joint.encoder.${name}`, spec.inputShapes[m], backboneFor(model, name, spec.modalityNames), rng, name));
  const zDim = encoders.reduce((s, e) => s + e.outDim, 0);
  const head = mlp(params, 'joint.head', zDim, [...model.head.hidden, spec.classes], rng, 'relu', 'linear');
  const logits = (inputs: tf.Tensor2D[]) => head(tf.concat(encoders.map((e, m) => e.forward(inputs[m])), 1));
  return {
    paradigm: 'joint',
    params,
    modalities: spec.modalityNames,
    stages: [ceStage('train', params, ['joint'], logits)],
    predict: (inputs) => ({ probs: tf.softmax(logits(inputs)) }),
  };
}

export function buildEnsemble(model: ModelOf<'ensemble'>, _train: TrainConfig, spec: ModelSpec, seed: number): ParadigmModel {
  const params = new Params(model.init);
  const nets = spec.modalityNames.map((name, m) => unimodalNet(params, model, spec, m, `ensemble.${name}`, Rng.derive(seed, `init-ensemble-${name}`)));
  const memberProbs = (inputs: tf.Tensor2D[]) => nets.map((n) => tf.softmax(n.logits(inputs[n.modalityIndex])) as tf.Tensor2D);
  return {
    paradigm: 'ensemble',
    params,
    modalities: spec.modalityNames,
    stages: nets.map((n) => ceStage(`member-${spec.modalityNames[n.modalityIndex]}`, params, [n.prefix], (inputs) => n.logits(inputs[n.modalityIndex]))),
    predict: (inputs) => {
      const members = memberProbs(inputs);
      return {
        probs: tf.div(tf.addN(members), members.length) as tf.Tensor2D,
        unimodal: Object.fromEntries(members.map((p, m) => [spec.modalityNames[nets[m].modalityIndex], p])),
      };
    },
  };
}
