// Options and plumbing shared by the commands.
import * as os from 'node:os';
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES, describeBackend, selectBackend, type BackendChoice, type BackendReport } from '../backend/select';
import type { Config } from '../config/schema';
import type { EvalSplit } from '../data/dataset';
import { UserError } from '../errors';
import type { LoadedRun } from '../experiment/runModel';
import type { Logger } from '../log';

export interface CommonOptions {
  runsDir: string;
  backend: BackendChoice;
  /** wasm threads: a count, or auto (see threadsFor). */
  threads: number | 'auto';
  quiet?: boolean;
}

export function withRunsDir(cmd: Command): Command {
  return cmd.option('--runs-dir <dir>', 'folder that holds the runs', 'runs');
}

export function withBackend(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKEND_CHOICES as unknown as string[]).default('auto'))
    .addOption(new Option('--threads <n>', 'threads of the wasm backend: a number, or auto (one per core to train a conv backbone or a wide MLP, where threads pay; else 1); results do not depend on it').default('auto').argParser(parseThreads));
}

function parseThreads(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UserError(`--threads must be auto or a whole number from 1 to 64, got "${value}"`, { where: `--threads ${value}`, hint: `e.g. --threads ${os.availableParallelism()}` });
  return n;
}

/** A step's matrix products from which a second thread pays: batch x width x width of the widest layer. */
export const THREADED_STEP_SIZE = 2 ** 27;

/**
 * The wasm threads for a command: as asked; with auto, one per core when it trains a model whose
 * steps are big enough for threads to pay, else 1; and 1 for commands that only predict. Measured
 * with 2 threads against 1 (epochs' time, identical results): conv2d on Fashion-MNIST halves
 * 1.27x faster (1.39x in training steps since dmil's conv gradients run on the thread pool); an MLP of width 1024 at batch 512 (2^29) 1.48x; fashion-halves' MLP (width 256,
 * batch 128: 2^23) 1.0x; configs/mix.yaml joint (width 128, batch 128: 2^21) 0.7x, as every op
 * synchronises the pool.
 */
export function threadsFor(asked: number | 'auto', training?: Config): number {
  if (asked !== 'auto') return asked;
  if (!training) return 1;
  const backbones = [training.model.backbone, ...Object.values(training.model.backbones)];
  const conv = backbones.some((b) => b.type !== undefined && b.type !== 'mlp');
  const widest = Math.max(...backbones.flatMap((b) => [...(b.hidden ?? []), b.out ?? 0]));
  return conv || training.train.batch_size * widest * widest >= THREADED_STEP_SIZE ? os.availableParallelism() : 1;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Selects the backend; logs the choice only when asked, so that bad input still gets one line. */
export async function startBackend(choice: BackendChoice, logger?: Logger, threads = 1): Promise<BackendReport> {
  const report = await selectBackend(choice, { threads });
  logger?.info(describeBackend(report));
  // Threads that could not be set up are said even when the backend is not described.
  if (report.threadsNote && !logger) process.stderr.write(`note: wasm runs on 1 thread: ${report.threadsNote}\n`);
  return report;
}

/** `--set data...=...` on commands that read a run: evaluate it on other data of the same layout. */
export function withDataSets(cmd: Command): Command {
  return cmd.option('--set <key=value>', 'point the run at other data of the same layout, e.g. --set data.path=other.csv (every row is evaluated, unless --split says otherwise)', collect, []);
}

/** The split a command reads when none is given: every row of new data, the test split of the run's own. */
export const splitOf = (loaded: LoadedRun, asked?: EvalSplit): EvalSplit => asked ?? (loaded.newData ? 'all' : 'test');

/**
 * The name results on a split get inside the run: the split itself for the run's own data;
 * for other data, the split and the data's content hash, so the same data reached by two paths
 * shares one result and other data never replaces the run's own.
 */
export function resultName(split: string, loaded: LoadedRun): string {
  return loaded.newData ? `${split}-${loaded.fingerprint.content.slice(0, 12)}` : split;
}

/** Refuses data read without labels where labels are needed (eval, pid). */
export function requireLabels(loaded: LoadedRun, hint: string): void {
  if (loaded.data.unlabelled) {
    const column = (loaded.config.data as { label?: string }).label ?? 'label';
    throw new UserError(`the data has no label column "${column}"; this command scores predictions against labels`, { where: 'data.path', hint });
  }
}

/** What an evaluation on other data records about that data. */
export function dataRecord(loaded: LoadedRun, sets: readonly string[]): unknown {
  return loaded.newData ? { sets, files: loaded.fingerprint.files, content_sha256: loaded.fingerprint.content } : undefined;
}
