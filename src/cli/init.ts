// `dmil init --csv FILE`: a starting config from a CSV header, for the user to edit. The id,
// label and split columns are guessed by name; the other columns are grouped into modalities by
// their prefix (the part before the last "_", "-" or "." and trailing digits).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { stringify } from 'yaml';
import { configFromObject } from '../config/load';
import { UserError } from '../errors';
import { requireFile } from '../data/files';
import { writeFileAtomic } from '../runs/atomic';

const ID_NAMES = ['id', 'sample', 'sample_id', 'uid', 'key'];
const LABEL_NAMES = ['label', 'y', 'target', 'class', 'category'];
const SPLIT_NAMES = ['split', 'fold', 'set', 'subset'];

export interface CsvGuess {
  id?: string;
  label: string;
  split?: string;
  modalities: { name: string; columns: string }[];
}

/** The prefix that names a feature column's modality: "audio_12" -> "audio", "m1.3" -> "m1". */
export function columnPrefix(column: string): string {
  const m = /^(.*?)[_.-]?\d+$/.exec(column);
  if (m && m[1]) return m[1];
  const cut = Math.max(column.lastIndexOf('_'), column.lastIndexOf('-'), column.lastIndexOf('.'));
  return cut > 0 ? column.slice(0, cut) : column;
}

export function guessFromHeader(header: readonly string[], file: string): CsvGuess {
  const find = (names: string[]) => header.find((h) => names.includes(h.trim().toLowerCase()));
  const id = find(ID_NAMES);
  const label = find(LABEL_NAMES);
  if (!label) throw new UserError(`no label column found (looked for ${LABEL_NAMES.join(', ')})`, { where: `${file}:1`, hint: 'rename the label column, or write the config by hand (data.label names it)' });
  const split = find(SPLIT_NAMES);
  const features = header.filter((h) => h !== id && h !== label && h !== split);
  const groups = new Map<string, string[]>();
  for (const c of features) groups.set(columnPrefix(c), [...(groups.get(columnPrefix(c)) ?? []), c]);
  const modalities = [...groups.entries()].filter(([, cols]) => cols.length > 0).map(([prefix, cols]) => ({
    name: prefix.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'm',
    columns: cols.length === 1 ? cols[0] : `${prefix}${/[_.-]/.test(cols[0][prefix.length] ?? '') ? cols[0][prefix.length] : ''}*`,
  }));
  if (modalities.length < 2) {
    throw new UserError(`found ${modalities.length} modality in the feature columns (${features.slice(0, 6).join(', ')}${features.length > 6 ? ', ...' : ''})`, {
      where: `${file}:1`, hint: 'name feature columns by modality prefix (audio_0, audio_1, video_0, ...), or write data.modalities by hand',
    });
  }
  return { id, label, split, modalities };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starting config for your CSV (id, label and split columns guessed; modalities by column prefix)')
    .requiredOption('--csv <file>', 'the CSV whose header to read')
    .option('--out <file>', 'where to write the config', 'config.yaml')
    .action((opts: { csv: string; out: string }) => {
      requireFile(opts.csv, 'CSV file');
      if (fs.existsSync(opts.out)) throw new UserError('the output file exists; dmil init never overwrites', { where: opts.out, hint: 'choose another --out' });
      const firstLine = fs.readFileSync(opts.csv, 'utf8').split(/\r?\n/, 1)[0];
      const header = (parse(firstLine, { bom: true }) as string[][])[0] ?? [];
      const g = guessFromHeader(header, opts.csv);
      const name = path.basename(opts.csv).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'experiment';
      const raw = {
        name: name.slice(0, 64), seed: 1,
        data: {
          source: 'csv', path: path.relative(path.dirname(path.resolve(opts.out)), path.resolve(opts.csv)) || opts.csv,
          ...(g.id ? { id: g.id } : {}), label: g.label, ...(g.split ? { split_column: g.split } : {}), modalities: g.modalities,
        },
        model: { paradigm: 'dmil' },
      };
      configFromObject(raw, [], opts.out); // the guess must be a valid config
      const schema = 'dmil.schema.json';
      const text = [
        `# yaml-language-server: $schema=${schema}`,
        `# Written by dmil init from ${opts.csv}: check the guessed columns, then: dmil train ${opts.out}`,
        `# (dmil schema > ${schema} gives your editor completion and checks for this file.)`,
        stringify(raw).trimEnd(),
        '',
      ].join('\n');
      writeFileAtomic(opts.out, text);
      process.stderr.write(`wrote ${opts.out}: id ${g.id ?? '(none: row order)'}, label ${g.label}, split ${g.split ?? '(none: carved by data.split)'}, modalities ${g.modalities.map((m) => `${m.name} (${m.columns})`).join(', ')}\n`);
    });
}
