// `dmil pid CONFIG|RUN`: partial information decomposition of the data (redundancy, uniqueness,
// synergy in bits) by the exact and the neural BATCH estimators, and per-sample scores.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { Option } from 'commander';
import { configFromObject, readConfigFile } from '../config/load';
import { EVAL_SPLITS, type EvalSplit } from '../data/dataset';
import { prepareForTraining, readDataInfo } from '../experiment/data';
import { measurePid, PID_KEYS, type PidEstimate, type PidEstimator, type PidReport } from '../pid/measure';
import { loadFinishedRun } from '../experiment/runModel';
import { checkOutputFile, outputName, writeOutputFile } from '../runs/outputFile';
import { resolveRun } from '../runs/runFolder';
import { collect, requireLabels, startBackend, threadsFor, withBackend, withRunsDir, type CommonOptions } from './common';
import { cliReporter } from './reporter';
import { num, table } from '../textTable';

interface PidOptions extends CommonOptions {
  estimator: 'exact' | 'batch' | 'both';
  split?: EvalSplit;
  json?: boolean;
  pointwise?: string;
  modalities?: string;
  force?: boolean;
  set: string[];
}

export function registerPid(program: Command): void {
  const cmd = program
    .command('pid')
    .description('partial information decomposition of a config\'s data or a run\'s: R, U1, U2, S in bits, by the exact and the BATCH estimators (two modalities; --modalities picks them from more)')
    .argument('<source>', 'a YAML config, or a run id (or unique prefix, or run folder)')
    .addOption(new Option('--estimator <which>', 'exact (k-means discretised, see pid.discretise), batch (neural, Liang et al. 2023), or both').choices(['exact', 'batch', 'both']).default('both'))
    .addOption(new Option('--split <split>', 'samples to estimate on (default: test; all when only exact)').choices(EVAL_SPLITS as unknown as string[]))
    .option('--pointwise <file>', 'also write per-sample scores (nats; a minimum-redundancy split of pointwise mutual information) to this CSV (- for standard output)')
    .option('--modalities <a,b>', 'the two modalities to measure, by name (required when the data has more than two: the PID is a two-modality measure)')
    .option('--force', 'replace the --pointwise file if it exists')
    .option('--set <key=value>', 'override a config key (for a run: data.* keys only), e.g. --set pid.clusters=12', collect, [])
    .option('--json', 'print JSON instead of a table')
    .option('-q, --quiet', 'no progress messages');
  withBackend(withRunsDir(cmd)).action(async (source: string, opts: PidOptions) => {
    const pointwiseTarget = opts.pointwise !== undefined ? checkOutputFile(opts.pointwise, '--pointwise', { force: Boolean(opts.force) }) : undefined;
    const isConfig = /\.ya?ml$/i.test(source) && fs.existsSync(source);
    const loadedConfig = isConfig ? readConfigFile(source, opts.set) : undefined;
    const run = isConfig ? undefined : resolveRun(source, opts.runsDir);
    const reporter = cliReporter({ quiet: Boolean(opts.quiet) });
    try {
      await startBackend(opts.backend, undefined, threadsFor(opts.threads));
      let config;
      let data;
      let standardisation;
      if (loadedConfig) {
        config = loadedConfig.config;
        const prepared = await prepareForTraining(config);
        data = prepared.data;
        standardisation = prepared.info.standardisation;
      } else {
        const pidSets = opts.set.filter((s) => /^pid\./.test(s.trim()));
        const loaded = await loadFinishedRun(run!.id, run!.dir, opts.set.filter((s) => !pidSets.includes(s)));
        loaded.model.params.dispose();
        requireLabels(loaded, 'pid measures the information the modalities hold about the label');
        config = pidSets.length ? configFromObject(loaded.config, pidSets).config : loaded.config;
        data = loaded.data;
        standardisation = readDataInfo(run!.dir).standardisation;
      }
      const estimators: PidEstimator[] = opts.estimator === 'both' ? ['exact', 'batch'] : [opts.estimator];
      const modalities = opts.modalities?.split(',').map((m) => m.trim());
      const report = await measurePid({ config, data, estimators, split: opts.split, pointwise: Boolean(pointwiseTarget), modalities, standardisation, logger: reporter });
      if (pointwiseTarget && report.pointwise) {
        writeOutputFile(pointwiseTarget, pointwiseCsv(report, data));
        reporter.info(`wrote ${report.pointwise.indices.length} rows of per-sample scores to ${outputName(pointwiseTarget)}`);
      }
      // With --pointwise - the scores are standard output; the table goes beside the messages.
      (pointwiseTarget?.file === null ? process.stderr : process.stdout).write(opts.json ? `${JSON.stringify(jsonOf(report), null, 2)}\n` : `${formatPid(report)}\n`);
    } finally {
      reporter.close();
    }
  });
}

const cell = (e: PidEstimate, k: (typeof PID_KEYS)[number]) => {
  const iv = e.intervals[k];
  const show = (v: number) => num(Math.abs(v) < 5e-4 ? 0 : v, 3);
  return iv ? `${show(e.values[k])} [${show(iv[0])}, ${show(iv[1])}]` : show(e.values[k]);
};

export function formatPid(r: PidReport): string {
  const [a, b] = r.modalities;
  const rows = (['exact', 'batch'] as const).filter((k) => r[k]).map((k) => [k, ...PID_KEYS.map((key) => cell(r[k]!, key))]);
  const lines = [`PID of ${r.split} (${r.samples} samples, ${r.classes} classes), bits${r.bootstrap > 0 ? `; 95% bootstrap intervals over samples (${r.bootstrap} resamples) in brackets` : ''}`];
  if (r.of) lines.push(`modalities ${a} and ${b} of ${r.of.join(', ')}: a two-modality measure; the others are left out, so their information counts nowhere`);
  if (rows.length) {
    lines.push(table(['estimator', 'R', `U1 (${a})`, `U2 (${b})`, 'S', 'H(Y)', `I(${a};Y)`, `I(${b};Y)`, `I(${a},${b};Y)`], rows));
    for (const k of ['exact', 'batch'] as const) if (r[k]) lines.push(`${k}: ${r[k]!.method}`);
  }
  if (r.pointwise) {
    const s = r.pointwise.scores;
    const mean = (v: Float64Array) => num(v.reduce((x, y) => x + y, 0) / v.length / Math.LN2, 3);
    lines.push(`pointwise (mean over samples, bits): r ${mean(s.r)}, u1 ${mean(s.u1)}, u2 ${mean(s.u2)}, s ${mean(s.s)}; i(${a};y) ${mean(s.i1)}, i(${b};y) ${mean(s.i2)}, i(${a},${b};y) ${mean(s.i12)}`);
  }
  return lines.join('\n');
}

function jsonOf(r: PidReport): unknown {
  const { pointwise, ...rest } = r;
  return pointwise ? { ...rest, pointwise: { samples: pointwise.indices.length } } : rest;
}

/** One row per evaluated sample, same ids as `dmil decompose`; scores in nats. */
function pointwiseCsv(r: PidReport, data: { ids: string[]; labels: Int32Array; classNames: string[]; types?: string[] }): string {
  const [a, b] = r.modalities;
  const s = r.pointwise!.scores;
  const header = ['id', 'label', ...(data.types ? ['type'] : []), `i_${a}`, `i_${b}`, 'i_joint', 'r', `u_${a}`, `u_${b}`, 's'];
  const rows = Array.from(r.pointwise!.indices, (row, k) => {
    const f = (v: Float64Array) => v[k].toFixed(6);
    return [data.ids[row], data.classNames[data.labels[row]], ...(data.types ? [data.types[row]] : []), f(s.i1), f(s.i2), f(s.i12), f(s.r), f(s.u1), f(s.u2), f(s.s)];
  });
  return stringify([header, ...rows]);
}
