// The dmil command line. Commands live in their own files; this one wires them up and is the
// single place that turns errors into one line and an exit code:
//   0 ok, 1 internal error (a bug: stack trace with --verbose), 2 bad input, 130 interrupted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version_core as tfVersion } from '@tensorflow/tfjs-core';
import { Command, CommanderError } from 'commander';
import { nearest } from '../config/schemaWalk';
import { isUserError, UserError } from '../errors';
import { registerCompare } from './compare';
import { registerData } from './data';
import { registerExport } from './export';
import { registerDecompose } from './decompose';
import { registerEval } from './eval';
import { registerInit } from './init';
import { registerPid } from './pid';
import { registerPredict } from './predict';
import { registerReport } from './report';
import { registerRuns } from './runs';
import { registerSweep } from './sweep';
import { registerSchema } from './schema';
import { registerTrain } from './train';

function versionLine(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return `dmil ${pkg.version} (TensorFlow.js ${tfVersion}, Node.js ${process.version})`;
}

export const EXIT = { ok: 0, internal: 1, badInput: 2, interrupted: 130 } as const;

export function buildProgram(): Command {
  const program = new Command('dmil')
    .description('experiment runner for multimodal interaction learning (DMIL) on TensorFlow.js')
    .version(versionLine(), '-V, --version', 'print the version of dmil and of what it runs on')
    .option('--verbose', 'show stack traces of internal errors')
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerTrain(program);
  registerEval(program);
  registerDecompose(program);
  registerPredict(program);
  registerRuns(program);
  registerCompare(program);
  registerPid(program);
  registerSweep(program);
  registerReport(program);
  registerSchema(program);
  registerInit(program);
  registerData(program);
  registerExport(program);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ outputError: () => undefined }).option('--verbose', 'show stack traces of internal errors');
  return program;
}

/** `--set key value` (a space for the "=") would otherwise read as an extra argument. */
function checkSetArguments(args: readonly string[]): void {
  args.forEach((a, i) => {
    const next = args[i + 1];
    if (a === '--set' && next !== undefined && !next.includes('=')) {
      const value = args[i + 2] !== undefined && !args[i + 2].startsWith('-') ? args[i + 2] : 'VALUE';
      throw new UserError(`--set takes key=value in one argument, got "${next}"`, { where: `--set ${next}`, hint: `write --set ${next}=${value}` });
    }
  });
}

/** An unknown command is an error even with --help after it (which would otherwise show the root help). */
function checkCommandName(program: Command, args: readonly string[]): void {
  const first = args.find((a) => a !== '--verbose');
  if (first === undefined || first.startsWith('-') || first === 'help') return;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(first)) return;
  const near = nearest(first, names);
  throw new UserError(`unknown command '${first}'`, { hint: `${near ? `did you mean ${near}?; ` : ''}see dmil --help` });
}

/** A reader that went away (`dmil train ... | head`) must not kill a run: its output is dropped. */
function tolerateClosedPipes(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  tolerateClosedPipes();
  const verbose = argv.includes('--verbose');
  try {
    const program = buildProgram();
    checkSetArguments(argv.slice(2));
    checkCommandName(program, argv.slice(2));
    if (argv.slice(2).every((a) => a === '--verbose')) {
      const commands = program.commands.map((c) => c.name()).join(', ');
      throw new UserError('no command given', { hint: `commands: ${commands}; see dmil --help` });
    }
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = report(e, verbose);
  }
}

function report(e: unknown, verbose: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    // Commander puts its suggestion on a second line: "(Did you mean train?)".
    const [first, ...rest] = e.message.replace(/^error: /, '').split('\n');
    const suggestion = rest.join(' ').match(/Did you mean ([^?]+)\?/);
    process.stderr.write(`dmil: ${first} (${suggestion ? `did you mean ${suggestion[1]}?; ` : ''}see dmil --help)\n`);
    return EXIT.badInput;
  }
  if (isUserError(e)) {
    process.stderr.write(`dmil: ${e.oneLine()}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT.badInput;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`dmil: internal error: ${err.message.split('\n')[0]}${verbose ? '' : ' (run with --verbose for the stack trace; please report it)'}\n`);
  if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT.internal;
}
