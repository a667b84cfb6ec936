// `dmil data check CONFIG`: the data a config reads, checked before training: split and class
// counts, each modality's shape, range, NaN/inf counts and constant features, duplicate ids, and
// leaks between splits (ids, identical rows, groups). Exit 0 when clean, 1 when it finds a leak or
// non-finite values the config does not handle, 2 for bad input.
import type { Command } from 'commander';
import { readConfigFile } from '../config/load';
import type { Config } from '../config/schema';
import { checkDataset, type DataCheck } from '../data/check';
import { UserError } from '../errors';
import { loadSource } from '../experiment/data';
import { table } from '../textTable';
import { collect } from './common';

interface DataOptions {
  set: string[];
  json?: boolean;
}

export function registerData(program: Command): void {
  program
    .command('data')
    .description('checks the data a config reads before training: `dmil data check CONFIG` (splits, classes, ranges, NaN/inf, constant features, duplicate ids, leaks between splits); exit 1 when it finds a leak or unhandled non-finite values')
    .argument('[action]', '"check"')
    .argument('[config]', 'a YAML config')
    .option('--set <key=value>', 'override a config key, e.g. --set data.nonfinite=zero', collect, [])
    .option('--json', 'print JSON instead of tables')
    .action(async (action: string | undefined, file: string | undefined, opts: DataOptions) => {
      if (action !== 'check') throw new UserError(action === undefined ? 'which action?' : `unknown action "${action}"`, { where: 'dmil data', hint: 'dmil data check CONFIG' });
      if (file === undefined) throw new UserError('which config?', { where: 'dmil data check', hint: 'dmil data check CONFIG' });
      const { config } = readConfigFile(file, opts.set);
      const check = await checkConfigData(config);
      process.stdout.write(opts.json ? `${JSON.stringify(check, null, 2)}\n` : `${formatCheck(check, file, config.data.source)}\n`);
      if (check.problems.length) process.exitCode = 1;
    });
}

/** Loads the config's data as the source gives it (non-finite values counted, even where the config would refuse them) and checks it. */
export async function checkConfigData(config: Config): Promise<DataCheck> {
  // The file sources (npy, pickle, hdf5) have a non-finite policy; the others make finite data or refuse it.
  const policy = 'nonfinite' in config.data ? config.data.nonfinite : undefined;
  const counting = policy ? ({ ...config, data: { ...config.data, nonfinite: 'zero' } } as Config) : config;
  const data = await loadSource(counting);
  const handled = policy === undefined || policy === 'zero';
  return checkDataset(data, { counts: data.nonfinite ?? [], handled });
}

const g = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

function formatCheck(c: DataCheck, file: string, source: string): string {
  const lines = [`data of ${file} (${source}): ${c.samples} samples, ${c.classes.length} classes`, ''];
  lines.push(table(['split', 'samples', ...c.classes.map((k) => `class ${k}`)], c.splits.map((s) => [s.split, String(s.samples), ...s.classCounts.map(String)])), '');
  lines.push(table(['modality', 'shape', 'min', 'max', 'NaN', 'inf', 'constant features'], c.modalities.map((m) => [m.name, `[${m.shape.join(', ')}]`, g(m.min), g(m.max), String(m.nan), String(m.inf), String(m.constantFeatures)])), '');
  if (c.nonfinite.counts.length) lines.push(`non-finite values: ${c.nonfinite.handled ? 'replaced by 0 (data.nonfinite: zero)' : 'refused by the config (data.nonfinite: error)'}`);
  lines.push(`duplicate ids: ${c.duplicateIds.count}${c.duplicateIds.count ? ` (e.g. ${c.duplicateIds.examples.map((x) => `"${x}"`).join(', ')})` : ''}`);
  lines.push(`ids in more than one split: ${c.idsAcrossSplits.count}${c.idsAcrossSplits.count ? ` (e.g. ${c.idsAcrossSplits.examples.map((x) => `"${x.id}" in ${x.splits.join(' and ')}`).join('; ')})` : ''}`);
  lines.push(`identical rows in more than one split: ${c.rowsAcrossSplits.count}${c.rowsAcrossSplits.count ? ` (e.g. ${c.rowsAcrossSplits.examples.map((x) => `ids ${x.ids.slice(0, 3).join(', ')} in ${x.splits.join(' and ')}`).join('; ')})` : ''}`);
  if (c.groupsAcrossSplits) lines.push(`groups in more than one split: ${c.groupsAcrossSplits.count}${c.groupsAcrossSplits.count ? ` (e.g. ${c.groupsAcrossSplits.examples.map((x) => `"${x.group}" in ${x.splits.join(' and ')}`).join('; ')})` : ''}`);
  lines.push('', c.problems.length ? `problems: ${c.problems.join('; ')}` : 'clean: no leak between splits, no unhandled non-finite value');
  return lines.join('\n');
}
