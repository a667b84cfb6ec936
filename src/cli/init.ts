// `dmil init --csv FILE`: a starting config from the start of a CSV file, for the user to edit.
// The guess (src/data/csvGuess.ts) is checked as `train` would load it before it is written.
import * as path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configFromObject } from '../config/load';
import { checkGuessSelects, guessFromHead } from '../data/csvGuess';
import { checkHeader, readCsvHead } from '../data/csvHead';
import { requireFile } from '../data/files';
import { checkOutputFile, writeOutputFile } from '../runs/outputFile';

/** Rows read to tell text columns from numeric ones. */
const SAMPLE_ROWS = 200;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a starting config for your CSV (id, label and split columns guessed; modalities by column prefix; text columns set aside)')
    .requiredOption('--csv <file>', 'the CSV to read (its header and first rows)')
    .option('--out <file>', 'where to write the config (never overwritten)', 'config.yaml')
    .action(async (opts: { csv: string; out: string }) => {
      requireFile(opts.csv, 'CSV file', 'pass the path of a CSV file');
      const target = checkOutputFile(opts.out, '--out', { example: 'config.yaml' });
      const { header, rows } = await readCsvHead(opts.csv, ',', SAMPLE_ROWS);
      checkHeader(header, opts.csv);
      const g = guessFromHead(header, rows, opts.csv);
      checkGuessSelects(g, header, opts.csv);
      const name = path.basename(opts.csv).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'experiment';
      const outDir = target.file === null ? process.cwd() : path.dirname(path.resolve(target.file));
      const raw = {
        name, seed: 1,
        data: {
          source: 'csv', path: path.relative(outDir, path.resolve(opts.csv)) || opts.csv,
          ...(g.id ? { id: g.id } : {}), label: g.label, ...(g.split ? { split_column: g.split } : {}), modalities: g.modalities,
        },
        // DMIL's decomposition is defined for two modalities; with more, joint training is the start.
        model: { paradigm: g.modalities.length === 2 ? 'dmil' : 'joint' },
      };
      configFromObject(raw, [], opts.out); // the guess must be a valid config (an error here is a bug)
      const schema = 'dmil.schema.json';
      const text = [
        `# yaml-language-server: $schema=${schema}`,
        `# Written by dmil init from ${opts.csv}: check the guessed columns, then: dmil train ${opts.out}`,
        `# (dmil schema > ${schema} gives your editor completion and checks for this file.)`,
        ...(g.textColumns.length ? [`# Text columns, not features: ${g.textColumns.join(', ')}. To report accuracy and gate weights per`, `# value of one, add it as data.group (e.g. group: ${JSON.stringify(g.textColumns[0])}).`] : []),
        stringify(raw).trimEnd(),
        '',
      ].join('\n');
      writeOutputFile(target, text);
      const cols = (c: string | string[]) => (Array.isArray(c) ? c.join(', ') : c);
      process.stderr.write(`wrote ${opts.out}: id ${g.id ?? '(none: row order)'}, label ${g.label}, split ${g.split ?? '(none: carved by data.split)'}, modalities ${g.modalities.map((m) => `${m.name} (${cols(m.columns)})`).join(', ')}${g.textColumns.length ? `; text columns set aside: ${g.textColumns.join(', ')}` : ''}\n`);
    });
}
