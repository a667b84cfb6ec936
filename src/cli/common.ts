// Options and plumbing shared by the commands.
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES, describeBackend, selectBackend, type BackendChoice, type BackendReport } from '../backend/select';
import type { EvalSplit } from '../data/dataset';
import type { LoadedRun } from '../experiment/runModel';
import type { Logger } from '../log';

export interface CommonOptions {
  runsDir: string;
  backend: BackendChoice;
  verbose?: boolean;
  quiet?: boolean;
}

export function withRunsDir(cmd: Command): Command {
  return cmd.option('--runs-dir <dir>', 'folder that holds the runs', 'runs');
}

export function withBackend(cmd: Command): Command {
  return cmd.addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKEND_CHOICES as unknown as string[]).default('auto'));
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Selects the backend; logs the choice only when asked, so that bad input still gets one line. */
export async function startBackend(choice: BackendChoice, logger?: Logger): Promise<BackendReport> {
  const report = await selectBackend(choice);
  logger?.info(describeBackend(report));
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

/** What an evaluation on other data records about that data. */
export function dataRecord(loaded: LoadedRun, sets: readonly string[]): unknown {
  return loaded.newData ? { sets, files: loaded.fingerprint.files, content_sha256: loaded.fingerprint.content } : undefined;
}
