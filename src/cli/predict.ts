// `dmil predict RUN [--set data.path=FILE]`: a finished run's predictions, on its own data or on
// new data of the same layout with or without labels: per sample the predicted class, every
// class's probability and, for paradigms with a gate (DMIL), the gate weights, as CSV.
import type { Command } from 'commander';
import { predictionRows } from '../analysis/predictionRows';
import { withRunOutput, withRunPredictions, type RunOutputOptions } from './runOutput';

export function registerPredict(program: Command): void {
  const cmd = program
    .command('predict')
    .description('predictions of a finished run: class, class probabilities and (DMIL) gate weights per sample, as CSV; new data with --set data.path=FILE needs no label column');
  withRunOutput(cmd, '<run>/predict/<split>.csv').action((ref: string, opts: RunOutputOptions) => withRunPredictions(ref, opts, 'predict', (r) => {
    const written = r.write('predict', 'csv', predictionRows(r.predictions));
    const n = r.predictions.ids.length;
    process.stderr.write(`wrote ${n} predictions${r.predictions.unlabelled ? ' (the data has no labels)' : ''} to ${written.file}${written.record ? ` (the data: ${written.record})` : ''}\n`);
  }));
}
