// Checkpoints as tf.io handlers: `model.json` (topology: which paradigm, plus the weights
// manifest and any loop state) and `weights.bin`. A stage checkpoint is written once, atomically,
// as a whole folder. The resume state is rewritten every epoch: its weights file carries the
// epoch in its name and model.json is renamed into place last, so a crash at any moment leaves a
// consistent pair.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { writeFileAtomic, writeFolderAtomic } from './atomic';
import { DamagedFile, readRunJson } from './damaged';

interface ModelJson {
  format: 'dmil-checkpoint';
  generatedBy: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  /** sha256 of the weights file, checked on every load (absent in dmil 0.1 checkpoints). */
  weightsSha256?: string;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function modelJson(artifacts: tf.io.ModelArtifacts, weightsFile: string): ModelJson {
  return {
    weightsSha256: sha256(weightBytes(artifacts)),
    format: 'dmil-checkpoint',
    generatedBy: `dmil with TensorFlow.js ${tf.version_core}`,
    modelTopology: (artifacts.modelTopology ?? {}) as Record<string, unknown>,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
  };
}

const weightBytes = (a: tf.io.ModelArtifacts) => new Uint8Array(a.weightData as ArrayBuffer);

/** Saves into a new folder `dir` (fails if it exists). */
export function stageCheckpointHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      writeFolderAtomic(dir, {
        'model.json': JSON.stringify(modelJson(artifacts, 'weights.bin'), null, 1),
        'weights.bin': weightBytes(artifacts),
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: async () => loadArtifacts(dir),
  };
}

/** Saves into `dir` (created if needed), replacing the previous state atomically. */
export function rollingCheckpointHandler(dir: string, tag: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      fs.mkdirSync(dir, { recursive: true });
      const weightsFile = `weights-${tag}.bin`;
      writeFileAtomic(path.join(dir, weightsFile), weightBytes(artifacts));
      writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson(artifacts, weightsFile), null, 1));
      for (const f of fs.readdirSync(dir)) if (/^weights-.*\.bin$/.test(f) && f !== weightsFile) fs.rmSync(path.join(dir, f), { force: true });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: async () => loadArtifacts(dir),
  };
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Reads and checks a checkpoint folder; a damaged or missing file is a DamagedFile naming it. */
export function readCheckpoint(dir: string): tf.io.ModelArtifacts {
  const jsonFile = path.join(dir, 'model.json');
  const json = readRunJson(jsonFile) as ModelJson;
  const group = json?.weightsManifest?.[0];
  if (json?.format !== 'dmil-checkpoint' || !group || !Array.isArray(group.paths) || typeof group.paths[0] !== 'string' || !Array.isArray(group.weights)) {
    throw new DamagedFile(jsonFile, 'not a dmil checkpoint (no format or weights manifest)');
  }
  const weightsFile = path.join(dir, path.basename(group.paths[0]));
  let data: Buffer;
  try {
    data = fs.readFileSync(weightsFile);
  } catch {
    throw new DamagedFile(weightsFile, 'missing');
  }
  const expected = group.weights.reduce((n, w) => n + (BYTES_PER[w.dtype ?? 'float32'] ?? 4) * w.shape.reduce((a, b) => a * b, 1), 0);
  if (data.byteLength !== expected) throw new DamagedFile(weightsFile, `${data.byteLength} bytes where the manifest needs ${expected}`);
  if (json.weightsSha256 && sha256(data) !== json.weightsSha256) throw new DamagedFile(weightsFile, 'its checksum does not match model.json');
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return { modelTopology: json.modelTopology, weightSpecs: group.weights, weightData, format: json.format, generatedBy: json.generatedBy };
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  return readCheckpoint(dir);
}

export async function saveTensors(handler: tf.io.IOHandler, tensors: tf.NamedTensorMap, topology: Record<string, unknown>): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await handler.save!({ modelTopology: topology, weightSpecs: specs, weightData: data, format: 'dmil-checkpoint' });
}

export async function loadTensors(handler: tf.io.IOHandler): Promise<{ tensors: tf.NamedTensorMap; topology: Record<string, unknown> }> {
  const a = await handler.load!();
  const tensors = tf.io.decodeWeights(a.weightData!, a.weightSpecs!);
  return { tensors, topology: (a.modelTopology ?? {}) as Record<string, unknown> };
}
