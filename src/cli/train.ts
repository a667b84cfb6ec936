// `dmil train CONFIG | --resume RUN`: trains a run; stdout gets the run id as its last line.
import type { Command } from 'commander';
import { configToYaml, readConfigFile } from '../config/load';
import type { Config } from '../config/schema';
import { modelSpec, prepareForTraining } from '../experiment/data';
import { buildModel } from '../paradigms';
import { UserError } from '../errors';
import { trainNew, trainResume, type TrainResult } from '../experiment/train';
import { readRunConfig, readRunConfigObject } from '../experiment/runModel';
import { DMIL_VERSION } from '../config/versions';
import { resolveRun, runFiles } from '../runs/runFolder';
import { describeBackend } from '../backend/select';
import { collect, startBackend, threadsFor, withBackend, withRunsDir, type CommonOptions } from './common';
import { cliReporter } from './reporter';
import { num } from '../textTable';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface TrainOptions extends CommonOptions {
  set: string[];
  resume?: string;
  printConfig?: boolean;
  dryRun?: boolean;
  tensorboard?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a run from a YAML config (or continue one with --resume); prints the run id')
    .argument('[config]', 'YAML config file, e.g. configs/xor.yaml')
    .option('--set <key=value>', 'override a config key (repeatable), e.g. --set train.epochs=10', collect, [])
    .option('--resume <run>', 'continue an interrupted or failed run from its last finished epoch')
    .option('-q, --quiet', 'no progress or log lines: the run id on stdout, the one-line result on stderr')
    .option('--print-config', 'print the resolved config (defaults filled in, --set applied) and exit; nothing is trained or written')
    .option('--dry-run', 'check the config and the data, print sizes and parameter counts, and exit; nothing is written')
    .option('--tensorboard', 'write TensorBoard event files into the run folder while training (train.tensorboard: true); watch with tensorboard --logdir runs');
  withBackend(withRunsDir(cmd)).action(trainCommand);
}

async function trainCommand(configFile: string | undefined, opts: TrainOptions): Promise<void> {
  if (!configFile && !opts.resume) throw new UserError('missing config file', { where: 'dmil train', hint: 'usage: dmil train CONFIG, or dmil train --resume RUN' });
  if (configFile && opts.resume) throw new UserError('give a config or --resume, not both', { where: 'dmil train' });
  if (opts.resume && (opts.set.length || opts.tensorboard)) throw new UserError(`${opts.set.length ? '--set' : '--tensorboard'} cannot change a run being resumed`, { where: '--resume', hint: 'a resumed run keeps its saved config' });
  if (opts.tensorboard) opts.set = [...opts.set, 'train.tensorboard=true'];

  const loaded = configFile ? loadTrainConfig(configFile, opts.set) : undefined;
  if (loaded?.note && !opts.quiet) process.stderr.write(`${loaded.note}\n`);
  if ((opts.printConfig || opts.dryRun) && !loaded) throw new UserError('--print-config and --dry-run need a config, not --resume', { where: 'dmil train' });
  if (opts.printConfig) {
    process.stdout.write(configToYaml(loaded!.config));
    return;
  }
  if (opts.dryRun) {
    await startBackend(opts.backend, undefined, threadsFor(opts.threads, loaded!.config));
    process.stdout.write(`${await dryRun(loaded!.config)}\n`);
    return;
  }
  await train(loaded?.config, opts.resume ? resolveRun(opts.resume, opts.runsDir) : undefined, opts);
}

/**
 * Trains a new run from `config`, or resumes `resumed`, with progress on stderr and the run id
 * on stdout. Ctrl-C once stops after the current step (the run can be resumed), twice at once.
 */
async function train(config: Config | undefined, resumed: { id: string; dir: string } | undefined, opts: TrainOptions): Promise<void> {
  // --verbose belongs to the program (commander takes it anywhere on the line), not to train.
  const reporter = cliReporter({ quiet: Boolean(opts.quiet), verbose: process.argv.includes('--verbose') });
  let interruptedAt = 0;
  const onSigint = () => {
    if (interruptedAt) process.exit(130);
    interruptedAt = Date.now();
    reporter.warn('interrupt: stopping after this step (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let runId = resumed?.id;
  try {
    const backend = await startBackend(opts.backend, undefined, threadsFor(opts.threads, config ?? readRunConfig(resumed!.dir)));
    const trainOpts = {
      runsDir: opts.runsDir, backend, logger: reporter, command: process.argv.slice(1),
      setKeys: opts.set.map((s) => s.split('=')[0].trim()),
      interrupted: () => interruptedAt > 0,
      onRunFolder: (id: string, dir: string) => {
        runId = id;
        reporter.teeTo(path.join(dir, runFiles.log));
        reporter.info(describeBackend(backend));
      },
    };
    const result: TrainResult = resumed ? await trainResume(resumed.id, resumed.dir, trainOpts) : await trainNew(config!, trainOpts);
    const pt = result.test.per_type;
    const types = pt ? ' | accuracy by type: ' + Object.entries(pt).filter(([, v]) => v !== null).map(([t, v]) => `${t} ${num(v, 3)}`).join(' ') : '';
    reporter.result(`done: test accuracy ${num(result.test.accuracy)} macro-F1 ${num(result.test.macro_f1)}${types}; val accuracy ${num(result.val.accuracy)}`);
    process.stdout.write(`${result.id}\n`);
  } catch (e) {
    if ((e as Error).name === 'Interrupted' && runId) {
      reporter.warn(`run ${runId} interrupted; continue it with: dmil train --resume ${runId}`);
      process.exitCode = 130;
      return;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    reporter.close();
  }
}

/**
 * The config to train: a YAML file, or a run's own config.yaml (re-training a run), which is
 * read as the dmil version that wrote it (src/config/versions.ts) so that it trains as it did.
 */
function loadTrainConfig(file: string, sets: readonly string[]): { config: Config; note?: string } {
  const dir = path.dirname(path.resolve(file));
  if (path.basename(file) !== runFiles.config || !fs.existsSync(path.join(dir, runFiles.meta))) return { config: readConfigFile(file, sets).config };
  const { version } = readRunConfigObject(dir);
  const note = version === DMIL_VERSION ? undefined : `the config of a dmil ${version} run: read with that version's behaviour where keys were added since (see CHANGELOG.md)`;
  return { config: readRunConfig(dir, sets), note };
}

/** What a training would use, checked and counted, without writing anything. */
async function dryRun(config: Config): Promise<string> {
  const { data, info } = await prepareForTraining(config);
  const model = buildModel(config, modelSpec(data));
  try {
    const s = info.splitSizes;
    const stages = model.stages.map((st) => st.name);
    return [
      `config ${config.name}: valid`,
      `data ${config.data.source}: ${info.samples} samples (${s.train} train / ${s.val} val / ${s.test} test), ${data.classNames.length} classes`,
      ...data.modalities.map((m) => `  modality ${m.name}: shape [${m.shape.join(', ')}]`),
      `model ${config.model.paradigm}: ${model.params.count()} parameters; stages: ${stages.join(', ')}`,
      'nothing was written (dry run)',
    ].join('\n');
  } finally {
    model.params.dispose();
  }
}
