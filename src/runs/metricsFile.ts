// metrics.csv: one row per (stage, epoch, split) with every loss term and metric. Rows are kept in
// memory and the file is rewritten atomically after each epoch (it is small), so the header can
// grow as new stages bring new terms.
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { MetricsRow } from '../train/loop';
import { writeFileAtomic } from './atomic';
import { DamagedFile } from './damaged';

const KEY_COLUMNS = ['stage', 'epoch', 'split'] as const;

export function metricsToCsv(rows: readonly MetricsRow[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r.values)) if (!columns.includes(k)) columns.push(k);
  // Timing last, so comparing everything before it compares what must be deterministic.
  columns.sort((a, b) => Number(a === 'epoch_seconds') - Number(b === 'epoch_seconds'));
  const cell = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : String(v));
  return stringify([[...KEY_COLUMNS, ...columns], ...rows.map((r) => [r.stage, String(r.epoch), r.split, ...columns.map((c) => cell(r.values[c]))])]);
}

export function writeMetrics(file: string, rows: readonly MetricsRow[]): void {
  writeFileAtomic(file, metricsToCsv(rows));
}

export function readMetrics(file: string): MetricsRow[] {
  if (!fs.existsSync(file)) return [];
  let records: Record<string, string>[];
  try {
    records = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    throw new DamagedFile(file, `not a valid CSV (${(e as Error).message.split('\n')[0]})`, 'delete it to resume without the earlier rows, or restore it');
  }
  if (records.length && ['stage', 'epoch', 'split'].some((k) => !(k in records[0]))) throw new DamagedFile(file, 'no stage, epoch and split columns', 'delete it to resume without the earlier rows, or restore it');
  return records.map((rec) => {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(rec)) if (!(KEY_COLUMNS as readonly string[]).includes(k) && v !== '') values[k] = Number(v);
    return { stage: rec.stage, epoch: Number(rec.epoch), split: rec.split as 'train' | 'val', values };
  });
}
