// Guessing a config's data section from the start of a CSV file (`dmil init`): the id, label and
// split columns by name; text columns (values that are not numbers) set aside as possible
// groups; the remaining columns grouped into modalities by their name's prefix. What cannot be
// mapped is refused with one line rather than written as a config that `train` would refuse.
import { UserError } from '../errors';
import { globToRegExp, reservedColumns, selectColumns } from './csvSource';

const ID_NAMES = ['id', 'sample', 'sample_id', 'uid', 'key'];
const LABEL_NAMES = ['label', 'y', 'target', 'class', 'category'];
const SPLIT_NAMES = ['split', 'fold', 'set', 'subset'];
/** More modalities than this is a header whose names carry no modality prefix, not a data set. */
export const MAX_GUESSED_MODALITIES = 32;

export interface CsvGuess {
  id?: string;
  label: string;
  split?: string;
  modalities: { name: string; columns: string | string[] }[];
  /** Columns whose sampled values are not numbers: never features; candidates for data.group. */
  textColumns: string[];
}

/** The prefix that names a feature column's modality: "audio_12" -> "audio", "m1.3" -> "m1". */
export function columnPrefix(column: string): string {
  const m = /^(.*?)[_.-]?\d+$/.exec(column);
  if (m && m[1]) return m[1];
  const cut = Math.max(column.lastIndexOf('_'), column.lastIndexOf('-'), column.lastIndexOf('.'));
  return cut > 0 ? column.slice(0, cut) : column;
}

const isNumber = (v: string) => v !== '' && Number.isFinite(Number(v));

/** A config identifier from a prefix (letters, digits, "_", "-", "."), or "" when nothing is left. */
const identifierOf = (prefix: string) => prefix.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '').slice(0, 64);

/**
 * The columns of each modality as the config will name them: a glob when it selects exactly
 * these columns (as the csv source reads it), else the list of names.
 */
function columnsFor(prefix: string, cols: string[], header: readonly string[], reserved: ReturnType<typeof reservedColumns>, file: string): string | string[] {
  if (cols.length === 1) return cols;
  const sep = cols[0][prefix.length];
  const glob = `${prefix}${sep !== undefined && /[_.-]/.test(sep) ? sep : ''}*`;
  const picked = selectColumns(file, header, { name: 'guess', columns: glob }, reserved).map((i) => header[i]);
  return picked.length === cols.length && picked.every((c) => cols.includes(c)) && !/[*?]/.test(prefix) ? glob : cols;
}

/**
 * The guess for a header and a sample of rows. Refuses (one line, file:1:column) a header it
 * cannot map: no label, fewer than two modalities, names without modality prefixes, too many
 * modalities.
 */
export function guessFromHead(header: readonly string[], rows: readonly string[][], file: string): CsvGuess {
  const find = (names: string[]) => header.find((h) => names.includes(h.trim().toLowerCase()));
  const id = find(ID_NAMES);
  const label = find(LABEL_NAMES);
  if (!label) throw new UserError(`no label column found (looked for ${LABEL_NAMES.join(', ')})`, { where: `${file}:1`, hint: 'rename the label column, or write the config by hand (data.label names it)' });
  const split = find(SPLIT_NAMES);
  const rest = header.map((h, i) => [h, i] as const).filter(([h]) => h !== id && h !== label && h !== split);
  const textColumns = rest.filter(([, i]) => rows.some((r) => r[i] !== undefined && r[i] !== '' && !isNumber(r[i]))).map(([h]) => h);
  const features = rest.map(([h]) => h).filter((h) => !textColumns.includes(h));
  const groups = new Map<string, string[]>();
  for (const c of features) groups.set(columnPrefix(c), [...(groups.get(columnPrefix(c)) ?? []), c]);
  const where = `${file}:1`;
  const shown = features.slice(0, 6).join(', ') + (features.length > 6 ? ', ...' : '');
  const prefixHint = 'name feature columns by modality prefix, e.g. audio_0, audio_1, video_0; or write data.modalities by hand';
  if (groups.size < 2) {
    const text = textColumns.length ? `; text columns, not features: ${textColumns.join(', ')}` : '';
    throw new UserError(`found ${groups.size} modalit${groups.size === 1 ? 'y' : 'ies'} in the feature columns (${shown || 'none'})${text}`, { where, hint: prefixHint });
  }
  if (groups.size > MAX_GUESSED_MODALITIES) {
    throw new UserError(`the feature columns form ${groups.size} modalities by prefix (at most ${MAX_GUESSED_MODALITIES} are guessed)`, { where, hint: prefixHint });
  }
  if (groups.size > 2 && features.every((c) => columnPrefix(c) === c)) {
    throw new UserError(`the feature columns (${shown}) carry no modality prefix, so which modality each belongs to cannot be guessed`, { where, hint: prefixHint });
  }
  const reserved = reservedColumns({ id, label, split_column: split });
  const used = new Set<string>();
  const modalities = [...groups.entries()].map(([prefix, cols], i) => {
    let name = identifierOf(prefix);
    if (name === '' || used.has(name)) name = `m${i + 1}`;
    used.add(name);
    return { name, columns: columnsFor(prefix, cols, header, reserved, file) };
  });
  return { id, label, split, modalities, textColumns };
}

/** Checks that the csv source selects exactly the guessed columns (what `train` will read). */
export function checkGuessSelects(guess: CsvGuess, header: readonly string[], file: string): void {
  const reserved = reservedColumns({ id: guess.id, label: guess.label, split_column: guess.split });
  const owner = new Map<string, string>();
  for (const m of guess.modalities) {
    for (const i of selectColumns(file, header, m, reserved)) {
      const prev = owner.get(header[i]);
      if (prev !== undefined || guess.textColumns.includes(header[i])) {
        throw new Error(`dmil init's guess selects column "${header[i]}" for ${prev ?? 'a text column'} and ${m.name}`);
      }
      owner.set(header[i], m.name);
    }
  }
  for (const m of guess.modalities) {
    if (typeof m.columns === 'string' && !header.some((h) => globToRegExp(m.columns as string).test(h))) throw new Error(`dmil init's pattern ${m.columns} matches nothing`);
  }
}
