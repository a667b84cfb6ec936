// How much label information is left in representations meant to carry none (DMIL's N_m),
// measured the standard way: a fresh probe of the specification's probe shape (k -> 64 -> C MLP)
// fitted on the frozen representations of the training split, its epoch chosen on the
// validation split, and scored on the samples being evaluated. The probe is a unimodal model on
// the representation, trained by the ordinary training loop.
import * as tf from '@tensorflow/tfjs-core';
import { argmaxRows, accuracy } from '../analysis/metrics';
import { parseTrainConfig, type ModelOf } from '../config/schema';
import { chunks, disposeBatch, makeBatch } from '../data/batches';
import { splitIndices, type Dataset } from '../data/dataset';
import { applyStandardiser, fitStandardiser } from '../data/normalize';
import { silentLogger } from '../log';
import { buildUnimodal } from '../paradigms/baselines';
import type { ParadigmModel } from '../paradigms/paradigm';
import { runStage } from '../train/loop';
import { classPrior, modelSpec } from './data';
import { collectRows, predictSamples } from './predict';

const PROBE_TRAIN = parseTrainConfig({ epochs: 30, batch_size: 128, early_stop: { patience: 5 } });

export interface LabelProbes {
  /**
   * Each probe's accuracy on the given samples: on the label-free representation (N_m), and the
   * same probe on the full representation it was cut from (z_m, its ceiling), by N's name; and
   * the majority-class accuracy there.
   */
  score(indices: Int32Array): Promise<{ accuracy: Record<string, number>; ceiling: Record<string, number>; chance: number }>;
  dispose(): void;
}

type Representations = (inputs: tf.Tensor2D[]) => Record<string, tf.Tensor2D>;

/** Every sample's representations, by name, as [samples, width] arrays (sample order). */
async function representations(of: Representations, data: Dataset, batchSize: number): Promise<Record<string, Float32Array>> {
  const n = data.labels.length;
  const out: Record<string, Float32Array> = {};
  for (const idx of chunks(Int32Array.from(data.labels.keys()), batchSize)) {
    const batch = makeBatch(data, idx);
    const reps = tf.tidy(() => of(batch.inputs) as unknown as tf.TensorContainerObject) as unknown as Record<string, tf.Tensor2D>;
    disposeBatch(batch);
    try {
      await collectRows([out], [reps], n, idx[0]);
    } finally {
      tf.dispose(Object.values(reps));
    }
  }
  return out;
}

interface Probe {
  name: string;
  model: ParadigmModel;
  data: Dataset;
}

/** A fresh probe (k -> 64 -> C) fitted on one representation's training split, its epoch chosen on validation. */
async function fitProbe(name: string, values: Float32Array, data: Dataset, seed: number): Promise<Probe> {
  const n = data.labels.length;
  const raw: Dataset = { ...data, modalities: [{ name, shape: [values.length / n], values }] };
  const repData = applyStandardiser(raw, fitStandardiser(raw));
  const probeConfig: ModelOf<'unimodal'> = {
    paradigm: 'unimodal', init: 'torch', backbones: {},
    backbone: { type: 'mlp', hidden: [], out: 64, activation: 'relu', channels: [1], kernel: 1, units: 1, layers: 1, pool: 'last' },
  };
  const probe = buildUnimodal(probeConfig, PROBE_TRAIN, modelSpec(repData), seed);
  await runStage({ stage: probe.stages[0], model: probe, data: repData, train: PROBE_TRAIN, seed, logger: silentLogger });
  return { name, model: probe, data: repData };
}

/** Fits one probe per representation and one on each one's ceiling; null when the model has none or the data has no train/val split (new data). */
export async function fitLabelProbes(model: ParadigmModel, data: Dataset, batchSize: number, seed: number): Promise<LabelProbes | null> {
  if (!model.labelFreeRepresentations || !splitIndices(data, 'train').length || !splitIndices(data, 'val').length) return null;
  const probes: Probe[] = [];
  const ceilings: Probe[] = [];
  for (const [name, values] of Object.entries(await representations((x) => model.labelFreeRepresentations!(x), data, batchSize))) probes.push(await fitProbe(name, values, data, seed));
  if (model.probeCeilingRepresentations) {
    for (const [name, values] of Object.entries(await representations((x) => model.probeCeilingRepresentations!(x), data, batchSize))) ceilings.push(await fitProbe(name, values, data, seed));
  }
  const prior = classPrior(data);
  const majority = prior.indexOf(Math.max(...prior));
  return {
    async score(indices) {
      const labels = Int32Array.from(indices, (i) => data.labels[i]);
      const accuracyOf = async (ps: Probe[]) => {
        const out: Record<string, number> = {};
        for (const p of ps) {
          const pred = await predictSamples(p.model, p.data, indices, batchSize);
          out[p.name] = accuracy(argmaxRows(pred.probs, pred.classes), labels);
        }
        return out;
      };
      return { accuracy: await accuracyOf(probes), ceiling: await accuracyOf(ceilings), chance: accuracy(new Int32Array(labels.length).fill(majority), labels) };
    },
    dispose: () => [...probes, ...ceilings].forEach((p) => p.model.params.dispose()),
  };
}
