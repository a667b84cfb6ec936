// `npm run bench -- --memory-only [--backend NAME]`: device memory over a 30-epoch DMIL run on
// configs/mix.yaml (every stage trained for 30 epochs, no early stopping): the backend's live
// tensors, bytes and data ids after every epoch, and whether they stay flat from epoch 2 on.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendChoice } from '../src/backend/select';
import { readConfigFile } from '../src/config/load';
import { modelSpec, prepareForTraining } from '../src/experiment/data';
import { silentLogger } from '../src/log';
import { buildModel } from '../src/paradigms';
import { runStage } from '../src/train/loop';
import { root } from './measure';

const EPOCHS = 30;

export async function memoryOverRun(choice: BackendChoice): Promise<void> {
  const backend = await selectBackend(choice);
  const config = readConfigFile(path.join(root, 'configs', 'mix.yaml'), ['model.paradigm=dmil']).config;
  const { data } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  const at = () => ({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, dataIds: tf.engine().backend.numDataIds() });
  const start = at();
  console.log(`memory over a ${EPOCHS}-epoch DMIL run per stage on configs/mix.yaml (${data.labels.length} samples), backend ${backend.name}`);
  // Data ids count buffers, not tensors: the best epoch's snapshot shares its buffers with the
  // weights until the next step replaces them, so they move between two values without leaking.
  console.log('stage            epoch 1: tensors / bytes  epoch 2               epoch 30              flat  data ids');
  let allFlat = true;
  for (const stage of model.stages) {
    const base = stage.train ?? config.train;
    // A stage's own train section wins over the one runStage is given: the override goes there.
    const train = { ...base, epochs: EPOCHS, early_stop: { ...base.early_stop, patience: 0 } };
    const rows: ReturnType<typeof at>[] = [];
    const started = performance.now();
    await runStage({ stage: { ...stage, train }, model, data, train, seed: config.seed, logger: silentLogger, onEpochEnd: async (_, r) => void (r.some((x) => x.split === 'train') && rows.push(at())) });
    const flat = rows.slice(1).every((r) => r.tensors === rows[1].tensors && r.bytes === rows[1].bytes);
    allFlat &&= flat;
    const ids = rows.map((r) => r.dataIds);
    const show = (r: ReturnType<typeof at>) => `${r.tensors} / ${r.bytes}`.padEnd(22);
    console.log(`${stage.name.padEnd(17)}${show(rows[0])}${show(rows[1])}${show(rows[rows.length - 1])}${(flat ? 'yes' : 'NO').padEnd(6)}${Math.min(...ids)}-${Math.max(...ids)}  (${rows.length} epochs, ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  model.params.dispose();
  const end = at();
  console.log(`the model alone: ${start.tensors} tensors, ${start.bytes} bytes; after disposing it: ${end.tensors} tensors, ${end.bytes} bytes; flat in every stage: ${allFlat ? 'yes' : 'NO'}`);
}
