// Options and plumbing shared by the commands.
import { Option, type Command } from 'commander';
import { BACKEND_CHOICES, describeBackend, selectBackend, type BackendChoice, type BackendReport } from '../backend/select';
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
