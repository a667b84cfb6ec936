// `dmil decompose RUN`: per-sample interaction scores of a finished run, as CSV or JSON lines.
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { interactionScores, scoreColumns, toCsv, toJsonl } from '../analysis/interactionScores';
import { EVAL_SPLITS, splitIndices, type EvalSplit } from '../data/dataset';
import { evaluatePredictions } from '../experiment/evaluate';
import { predictSamples } from '../experiment/predict';
import { loadFinishedRun } from '../experiment/runModel';
import { writeFileAtomic } from '../runs/atomic';
import { acquireRunLock } from '../runs/lock';
import { checkOutputFile, outputName, writeOutputFile, type OutputTarget } from '../runs/outputFile';
import { requireWritableRun, resolveRun } from '../runs/runFolder';
import { ensureFolder } from '../runs/storage';
import { dataRecord, resultName, splitOf, startBackend, threadsFor, withBackend, withDataSets, withRunsDir, type CommonOptions } from './common';
import { gateTable } from './format';

interface DecomposeOptions extends CommonOptions {
  split?: EvalSplit;
  out?: string;
  force?: boolean;
  format: 'csv' | 'jsonl';
  set: string[];
}

export function registerDecompose(program: Command): void {
  const cmd = program
    .command('decompose')
    .description('per-sample interaction scores (gate weights, component probabilities and evidence) of a finished run')
    .argument('<run>', 'run id (or unique prefix) under --runs-dir, or a run folder path')
    .addOption(new Option('--split <split>', 'which split (default: test, or all with --set data...)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--out <file>', 'output file, or - for standard output (default: <run>/decompose/<split>.<format>)')
    .option('--force', 'replace the --out file if it exists')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'));
  withDataSets(withBackend(withRunsDir(cmd))).action(async (ref: string, opts: DecomposeOptions) => {
    const run = resolveRun(ref, opts.runsDir);
    const target = opts.out !== undefined ? checkOutputFile(opts.out, '--out', { force: Boolean(opts.force) }) : undefined;
    // Scores of other data get a record of that data beside them.
    const sidecar = target?.file && opts.set.length > 0 ? checkOutputFile(`${target.file}.data.json`, '--out', { force: Boolean(opts.force) }) : undefined;
    // With --out nothing is written into the run, so it needs no lock (and may be read-only).
    if (!target) requireWritableRun(run.dir, 'decompose writes its scores into the run unless --out names a file elsewhere');
    const lock = target ? undefined : acquireRunLock(run.dir, run.id, 'dmil decompose');
    try {
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      const loaded = await loadFinishedRun(run.id, run.dir, opts.set);
      const { model, data, config } = loaded;
      try {
        const split = splitOf(loaded, opts.split);
        const p = predictSamples(model, data, splitIndices(data, split), config.train.eval_batch_size);
        const rows = interactionScores(p);
        const text = opts.format === 'csv' ? toCsv(scoreColumns(p), rows) : toJsonl(rows);
        // Scores of other data say which data: its --set, files (path, size, SHA-256) and content hash.
        const record = dataRecord(loaded, opts.set);
        const recordText = record ? `${JSON.stringify({ run: run.id, split, samples: rows.length, data: record }, null, 2)}\n` : undefined;
        const written = target ? writeToTarget(target, sidecar, text, recordText) : writeIntoRun(path.join(run.dir, 'decompose', `${resultName(split, loaded)}.${opts.format}`), text, recordText);
        process.stderr.write(`wrote ${rows.length} rows to ${written.scores}${written.record ? ` (the data it scored: ${written.record})` : ''}\n`);
        const gates = gateTable(evaluatePredictions(run.id, model.paradigm, split, p));
        const summary = gates ? `mean gate weights (${rows.length} samples)\n${gates}\n` : `${rows.length} samples; this paradigm has no gate (no interaction composition to summarise)\n`;
        // With --out - the scores are standard output; the summary goes beside the messages.
        (target?.file === null ? process.stderr : process.stdout).write(summary);
      } finally {
        model.params.dispose();
      }
    } finally {
      lock?.release();
    }
  });
}

function writeIntoRun(file: string, text: string, recordText: string | undefined): { scores: string; record?: string } {
  ensureFolder(path.dirname(file));
  writeFileAtomic(file, text);
  if (recordText) writeFileAtomic(`${file}.data.json`, recordText);
  return { scores: file, record: recordText ? `${file}.data.json` : undefined };
}

function writeToTarget(target: OutputTarget, sidecar: OutputTarget | undefined, text: string, recordText: string | undefined): { scores: string; record?: string } {
  if (recordText && sidecar) {
    writeOutputFile(target, text);
    writeOutputFile(sidecar, recordText);
    return { scores: outputName(target), record: outputName(sidecar) };
  }
  writeOutputFile(target, text);
  return { scores: outputName(target) };
}
