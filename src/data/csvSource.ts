// The csv source: one file with id / label / split / feature columns, or one file per modality
// joined on the id column. Files are streamed through csv-parse; feature values go straight
// into Float32Arrays. Every bad cell is reported as file:row:column (rows as line numbers, the
// header being row 1).
import * as fs from 'node:fs';
import { parse } from 'csv-parse';
import type { CsvConfig } from '../config/dataSchema';
import { UserError } from '../errors';
import { checkHeader, csvParseError, MAX_RECORD_CHARS } from './csvHead';
import { FLOAT32_MAX, requireFile } from './files';
import { Rng } from '../rng';
import type { Dataset, ModalityData } from './dataset';
import { GrowableFloat32 } from './growable';
import { classNamesOf, encodeLabels, splitCode } from './labels';
import { checkShape } from './shape';
import { stratifiedSplit } from './split';

/** A glob ("m1_*", "x?", "*") as a regular expression over whole column names. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

interface FileRead {
  ids: string[];
  labels: string[];
  splits: string[];
  groups: string[];
  /** Per requested modality: values row-major, and the columns used. */
  features: { values: Float32Array; columns: string[] }[];
  rows: number;
  /** Which of the label, split and group columns the file has (all that were asked for, unless unlabelledOk). */
  has: { label: boolean; split: boolean; group: boolean };
  /** Line number of each data row, for errors found after reading. */
  lines: number[];
}

/** Columns that are never features: id, label, split and group, and the group's name on its own. */
export interface Reserved {
  all: string[];
  group?: string;
}

interface Want {
  id?: string;
  label?: string;
  split?: string;
  group?: string;
  modalities: { name: string; columns: string | string[] }[];
  /** Columns that never count as features. */
  reserved: Reserved;
  /** New data to predict on: the label, split and group columns may be missing. */
  unlabelledOk?: boolean;
}

const columnsHint = (header: readonly string[]) => `columns: ${header.slice(0, 10).join(', ')}${header.length > 10 ? ', ...' : ''}`;

/** The columns of one modality: its list, or what its glob matches among the columns no other role takes. */
export function selectColumns(file: string, header: readonly string[], m: Want['modalities'][number], reserved: Reserved): number[] {
  const free = header.map((h, i) => [h, i] as const).filter(([h]) => !reserved.all.includes(h));
  if (Array.isArray(m.columns)) {
    return m.columns.map((c) => {
      const i = header.indexOf(c);
      if (i < 0) throw new UserError(`modality ${m.name}: no column named "${c}"`, { where: `${file}:1`, hint: columnsHint(header) });
      return i;
    });
  }
  const re = globToRegExp(m.columns);
  // The group annotates samples; a pattern that names it (other than the catch-all "*") would
  // have it as a feature, and leaving it out silently changes the model's input.
  const group = reserved.group;
  if (group !== undefined && m.columns !== '*' && re.test(group)) {
    throw new UserError(`data.group names column "${group}", which modality ${m.name} selects as a feature (pattern "${m.columns}")`, { where: `${file}:1:${header.indexOf(group) + 1}`, hint: 'name a column no modality pattern matches, or list the modality\'s columns explicitly' });
  }
  const hits = free.filter(([h]) => re.test(h)).map(([, i]) => i);
  if (hits.length === 0) {
    throw new UserError(`modality ${m.name}: the pattern "${m.columns}" matches no column`, { where: `${file}:1`, hint: columnsHint(header) });
  }
  return hits;
}

/** Which column holds what, found from the header. */
interface Columns {
  header: string[];
  id?: number;
  label?: number;
  split?: number;
  group?: number;
  /** Per requested modality, its columns. */
  feats: number[][];
}

function findColumns(file: string, header: string[], want: Want): Columns {
  checkHeader(header, file);
  const need = (name: string | undefined, what: string, optional = false) => {
    if (name === undefined) return undefined;
    const i = header.indexOf(name);
    if (i < 0 && optional) return undefined;
    if (i < 0) throw new UserError(`no ${what} column "${name}"`, { where: `${file}:1`, hint: columnsHint(header) });
    return i;
  };
  const optional = Boolean(want.unlabelledOk);
  return {
    header, id: need(want.id, 'id'), label: need(want.label, 'label', optional), split: need(want.split, 'split', optional), group: need(want.group, 'group', optional),
    feats: want.modalities.map((m) => selectColumns(file, header, m, want.reserved)),
  };
}

/** One data row into `out` and the modalities' growing arrays; every bad cell is file:line:column. */
function readRow(file: string, line: number, record: string[], c: Columns, want: Want, out: FileRead, growing: GrowableFloat32[]): void {
  if (record.length !== c.header.length) {
    throw new UserError(`row has ${record.length} fields, the header has ${c.header.length}`, { where: `${file}:${line}`, hint: 'every row needs one value per column' });
  }
  if (c.id !== undefined) out.ids.push(record[c.id]);
  if (c.label !== undefined) {
    if (record[c.label] === '') throw new UserError('missing label', { where: `${file}:${line}:${c.label + 1}`, hint: `every row needs a value in column "${want.label}"` });
    out.labels.push(record[c.label]);
  }
  if (c.split !== undefined) out.splits.push(record[c.split]);
  if (c.group !== undefined) {
    if (record[c.group] === '') throw new UserError('empty group', { where: `${file}:${line}:${c.group + 1}`, hint: `every row needs a value in the group column "${want.group}"` });
    out.groups.push(record[c.group]);
  }
  c.feats.forEach((cols, m) => {
    for (const j of cols) growing[m].push(featureValue(file, line, j, record[j], c.header[j]));
  });
  out.lines.push(line);
  out.rows++;
}

function featureValue(file: string, line: number, j: number, cell: string, column: string): number {
  const v = cell === '' ? Number.NaN : Number(cell);
  if (!Number.isFinite(v)) {
    const what = cell === '' ? 'empty cell' : /^[+-]?(nan|inf(inity)?)$/i.test(cell) ? `${cell} is not a finite number` : `"${cell}" is not a number`;
    throw new UserError(`${what} in column "${column}"`, { where: `${file}:${line}:${j + 1}`, hint: 'feature cells must be finite numbers; impute or drop missing values first' });
  }
  if (Math.abs(v) > FLOAT32_MAX) {
    throw new UserError(`${cell} is outside the float32 range (about ±3.4e38) in column "${column}"`, { where: `${file}:${line}:${j + 1}`, hint: 'rescale the feature (e.g. take its logarithm) before training' });
  }
  return v;
}

async function readCsvFile(file: string, delimiter: string, want: Want): Promise<FileRead> {
  requireFile(file, 'data file', 'check data.path (relative paths resolve against the config file)');
  if (fs.statSync(file).size === 0) throw new UserError('the file is empty', { where: file, hint: 'a CSV needs a header row and at least one data row' });
  // relax_column_count: ragged rows are reported by readRow, with both counts.
  const parser = fs.createReadStream(file).pipe(parse({ delimiter, bom: true, skip_empty_lines: true, info: true, trim: true, relax_column_count: true, max_record_size: MAX_RECORD_CHARS }));
  let columns: Columns | undefined;
  const growing: GrowableFloat32[] = want.modalities.map(() => new GrowableFloat32());
  const out: FileRead = { ids: [], labels: [], splits: [], groups: [], features: [], rows: 0, has: { label: false, split: false, group: false }, lines: [] };
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (columns) readRow(file, info.lines, record, columns, want, out, growing);
      else columns = findColumns(file, record, want);
    }
  } catch (e) {
    throw e instanceof UserError ? e : csvParseError(e, file);
  }
  if (!columns) throw new UserError('the file is empty', { where: file, hint: 'a CSV needs a header row and at least one data row' });
  if (out.rows === 0) throw new UserError('the file has a header but no data rows', { where: file });
  const c = columns;
  out.has = { label: c.label !== undefined, split: c.split !== undefined, group: c.group !== undefined };
  out.features = c.feats.map((cols, m) => ({ values: growing[m].values(), columns: cols.map((j) => c.header[j]) }));
  return out;
}

/** Ids must name one row each: a repeated id would join the wrong rows across files. */
function requireUniqueIds(read: FileRead, file: string, column: string): void {
  const first = new Map<string, number>();
  read.ids.forEach((id, r) => {
    const seen = first.get(id);
    if (seen !== undefined) {
      throw new UserError(`duplicate id "${id}" (also on line ${read.lines[seen]})`, { where: `${file}:${read.lines[r]}`, hint: `ids in column "${column}" must be unique` });
    }
    first.set(id, r);
  });
}

export function reservedColumns(cfg: Pick<CsvConfig, 'id' | 'label' | 'split_column' | 'group'>): Reserved {
  return { all: [cfg.id, cfg.label, cfg.split_column, cfg.group].filter((c): c is string => c !== undefined), group: cfg.group };
}

/**
 * `unlabelledOk`: new data to predict on, whose file may lack the label (and split, group)
 * columns; without labels the dataset is `unlabelled`, every sample in split 0.
 */
export async function loadCsv(cfg: CsvConfig, seed: number, unlabelledOk = false): Promise<Dataset> {
  const separate = cfg.modalities.filter((m) => m.path !== undefined && m.path !== cfg.path);
  const inMain = cfg.modalities.filter((m) => !separate.includes(m));
  if (separate.length && !cfg.id) throw new UserError('modalities in separate files are joined on an id column', { where: 'data.id', hint: 'name the id column with data.id' });
  const mainFile = cfg.path ?? separate[0]?.path;
  if (!mainFile) throw new UserError('no CSV file given', { where: 'data.path', hint: 'set data.path, or a path per modality' });
  const reserved = reservedColumns(cfg);

  const main = await readCsvFile(mainFile, cfg.delimiter, { id: cfg.id, label: cfg.label, split: cfg.split_column, group: cfg.group, modalities: inMain, reserved, unlabelledOk });
  if (cfg.id) requireUniqueIds(main, mainFile, cfg.id);
  const byName = new Map<string, { values: Float32Array; columns: string[]; file: string }>();
  inMain.forEach((m, i) => byName.set(m.name, { ...main.features[i], file: mainFile }));

  for (const m of separate) {
    const part = await readCsvFile(m.path!, cfg.delimiter, { id: cfg.id, modalities: [m], reserved });
    const width = part.features[0].columns.length;
    if (part.rows !== main.rows) throw new UserError(`has ${part.rows} rows, ${mainFile} has ${main.rows}`, { where: m.path!, hint: 'modality files must hold the same samples' });
    requireUniqueIds(part, m.path!, cfg.id!);
    const rowOf = new Map(part.ids.map((id, r) => [id, r]));
    const values = new Float32Array(main.rows * width);
    main.ids.forEach((id, r) => {
      const src = rowOf.get(id);
      if (src === undefined) throw new UserError(`id "${id}" of ${mainFile}:${main.lines[r]} is not in this file`, { where: m.path!, hint: 'modality files must hold the same ids' });
      values.set(part.features[0].values.subarray(src * width, src * width + width), r * width);
    });
    byName.set(m.name, { values, columns: part.features[0].columns, file: m.path! });
  }

  const used = new Map<string, string>();
  for (const m of cfg.modalities) {
    const f = byName.get(m.name)!;
    for (const c of f.columns) {
      const key = `${f.file}\u0000${c}`;
      if (used.has(key)) throw new UserError(`column "${c}" is selected by modalities ${used.get(key)} and ${m.name}`, { where: `${f.file}:1`, hint: 'make the column patterns of the modalities disjoint' });
      used.set(key, m.name);
    }
  }

  const unlabelled = !main.has.label;
  const classNames = unlabelled ? [] : classNamesOf(main.labels);
  const labels = unlabelled ? new Int32Array(main.rows).fill(-1) : encodeLabels(main.labels, classNames, (i) => `${mainFile}:${main.lines[i]}`);
  const split = main.has.split
    ? Uint8Array.from(main.splits, (s, i) => splitCode(s, () => `${mainFile}:${main.lines[i]}`))
    : unlabelled ? new Uint8Array(main.rows) : stratifiedSplit(labels, classNames.length, cfg.split.val, cfg.split.test, Rng.derive(cfg.seed ?? seed, 'split'));
  const modalities: ModalityData[] = cfg.modalities.map((m) => {
    const f = byName.get(m.name)!;
    return { name: m.name, shape: checkShape(m.shape, f.columns.length, `data.modalities (${m.name})`), values: f.values };
  });
  return { modalities, labels, classNames, ids: cfg.id ? main.ids : main.lines.map((_, i) => String(i)), split, ...(main.has.group ? { groups: main.groups } : {}), ...(unlabelled ? { unlabelled } : {}) };
}
