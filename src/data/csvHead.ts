// The start of a CSV file, read as a stream and bounded: the header and the first rows, never the
// whole file (a 600 MB file, or /dev/zero, costs what its first rows cost). Used where dmil
// guesses from a file (`dmil init`) and checks a header (duplicate or empty column names).
import * as fs from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { UserError } from '../errors';

/** The longest header or row read before a file counts as not a CSV (no line break in sight). */
export const MAX_RECORD_CHARS = 4 * 2 ** 20;

export interface CsvHead {
  header: string[];
  /** Up to the asked number of data rows. */
  rows: string[][];
}

/** A csv-parse error as one line naming the file and line. */
export function csvParseError(e: unknown, file: string): unknown {
  if (!(e instanceof CsvError)) return e;
  const err = e as CsvError & { lines?: number };
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return new UserError(`not a CSV file: no line break in the first ${MAX_RECORD_CHARS / 2 ** 20} MiB`, { where: `${file}:${err.lines ?? 1}`, hint: 'a CSV needs a header line, then one line per sample' });
  }
  // The parser quotes the offending value; of a binary file that is noise, so only the reason is kept.
  const reason = err.message.replace(/^Invalid [^:]*: /, '').replace(/,? value is .*$/s, '').split(':')[0].replace(/[^\x20-\x7e]/g, '?');
  return new UserError(`malformed CSV: ${reason}`, { where: `${file}:${err.lines ?? '?'}`, hint: 'check quotes and delimiters on that line; is it a CSV file?' });
}

export async function readCsvHead(file: string, delimiter: string, maxRows: number): Promise<CsvHead> {
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const parser = stream.pipe(parse({ delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: MAX_RECORD_CHARS }));
  const records: string[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      records.push(record);
      if (records.length > maxRows) break;
    }
  } catch (e) {
    throw csvParseError(e, file);
  } finally {
    stream.destroy();
    parser.destroy();
  }
  if (records.length === 0) throw new UserError('the file is empty', { where: file, hint: 'a CSV needs a header line and at least one data line' });
  return { header: records[0], rows: records.slice(1) };
}

/** Refuses a header with an empty or repeated column name, naming its place (file:1:column). */
export function checkHeader(header: readonly string[], file: string): void {
  const first = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') {
      const trailing = i === header.length - 1;
      throw new UserError(`column ${i + 1} of the header has no name`, { where: `${file}:1:${i + 1}`, hint: trailing ? 'remove the delimiter at the end of each line' : 'give every column a name' });
    }
    const seen = first.get(name);
    if (seen !== undefined) throw new UserError(`column "${name}" appears twice in the header (columns ${seen + 1} and ${i + 1})`, { where: `${file}:1:${i + 1}`, hint: 'give every column its own name' });
    first.set(name, i);
  });
}
