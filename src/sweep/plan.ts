// A sweep's plan: a base config and the cells to train, one `--set` list each. Cells are the
// cross product of the axes (any config key with a list of values) and the named variants (a set
// of `--set`s under one label, for ablations). The plan is checked before anything runs: axis keys
// are config keys, every cell's config loads, no two cells resolve to the same config, and the
// sweep has at most MAX_CELLS cells.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { readConfigFile } from '../config/load';
import { parseOverride } from '../config/overrides';
import { UserError } from '../errors';

export const sweepSchema = z.strictObject({
  config: z.string().describe('the base config, relative to the sweep file'),
  set: z.array(z.string()).default([]).describe('overrides of the base for every cell, as for --set'),
  axes: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).default({}).describe('config key -> values; every combination is a cell'),
  variants: z.record(z.string(), z.array(z.string())).default({}).describe('label -> --set list; each variant is crossed with the axes'),
  retries: z.number().int().min(0).max(10).default(1).describe('how often a failed cell is trained again (resumed) before it counts as failed'),
  slurm: z.strictObject({
    partition: z.string().optional(),
    time: z.string().default('01:00:00').describe('time limit per cell (HH:MM:SS)'),
    cpus: z.number().int().min(1).default(2),
    mem: z.string().optional().describe('memory per cell, e.g. 8G (default: the partition\'s)'),
    gpus: z.number().int().min(0).default(0),
    extra: z.array(z.string()).default([]).describe('more #SBATCH lines, e.g. "--account=lab"'),
  }).prefault({}),
});
export type SweepSpec = z.infer<typeof sweepSchema>;

export interface Cell {
  index: number;
  /** `key=value` overrides of the base config, base overrides first. */
  sets: string[];
  /** What tells the cell apart: its axis values and variant. */
  label: string;
}

export interface SweepPlan {
  /** Stable for the same base config file, overrides, axes and variants: re-running finds the same sweep. */
  id: string;
  name: string;
  config: string;
  spec: SweepSpec;
  cells: Cell[];
}

const valueText = (v: string | number | boolean) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The most cells a sweep may have (a typo in a range should not start a million trainings). */
export const MAX_CELLS = 1000;

/** Whether a YAML file is a sweep file (a mapping with config, axes or variants, and no data or model). */
export function isSweepFile(file: string): boolean {
  try {
    const raw = parseDocument(fs.readFileSync(file, 'utf8')).toJS() as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return false;
    const keys = Object.keys(raw);
    return keys.some((k) => ['config', 'axes', 'variants'].includes(k)) && !keys.some((k) => ['data', 'model', 'train'].includes(k));
  } catch {
    return false;
  }
}

/** Reads a sweep file (YAML, block or flow style), errors at file:line:column. */
export function readSweepFile(file: string): SweepSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError('sweep file not found', { where: file, hint: 'pass the path of a sweep YAML, or a config with --axis key=v1,v2' });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const pos = lines.linePos(doc.errors[0].pos[0]);
    throw new UserError(`invalid YAML: ${doc.errors[0].message.split('\n')[0]}`, { where: `${file}:${pos.line}:${pos.col}` });
  }
  const at = (keyPath: readonly PropertyKey[], atKey: boolean) => {
    let node = doc.getIn(keyPath as (string | number)[], true) as { range?: [number, number] } | undefined;
    if (atKey) {
      // Point at the key itself, not its value.
      const parentPath = keyPath.slice(0, -1) as (string | number)[];
      const parent = (parentPath.length ? doc.getIn(parentPath, true) : doc.contents) as { items?: { key?: { value?: unknown; range?: [number, number] } }[] } | undefined;
      const pair = parent?.items?.find((it) => it.key?.value === keyPath[keyPath.length - 1]);
      if (pair?.key?.range) node = pair.key;
    }
    for (let cut = keyPath.length - 1; !node?.range && cut >= 0; cut--) node = doc.getIn(keyPath.slice(0, cut) as (string | number)[], true) as { range?: [number, number] } | undefined;
    const pos = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${file}:${pos.line}:${pos.col}`;
  };
  const parsed = sweepSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}" (keys: ${Object.keys(sweepSchema.shape).join(', ')})` : issue.message;
    throw new UserError(`${keyPath.join('.') || '(top level)'}: ${what}`, { where: at(keyPath, issue.code === 'unrecognized_keys') });
  }
  for (const [key, values] of Object.entries(parsed.data.axes)) {
    checkAxisKey(key, at(['axes', key], true));
    checkAxisValues(key, values.map(valueText), at(['axes', key], false));
  }
  return { ...parsed.data, config: path.resolve(path.dirname(path.resolve(file)), parsed.data.config) };
}

/** An axis key is a config key path as --set takes it: no spaces, every part known to the schema. */
function checkAxisKey(key: string, where: string): void {
  if (!/^[^\s=,]+$/.test(key)) throw new UserError(`axis key "${key}" has spaces or "=" or "," in it`, { where, hint: 'an axis key is a config key such as seed or model.paradigm' });
  try {
    // A modality named instead of numbered (data.modalities.audio.noise) is checked as the first one.
    parseOverride(`${key.replace(/^(data\.modalities\.)[^.\d][^.]*/, '$10')}=0`);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`axis "${key}": ${e.message}`, { where, hint: e.hint });
    throw e;
  }
}

function checkAxisValues(key: string, values: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new UserError(`axis "${key}" lists ${v} twice`, { where, hint: 'each value once; a cell is trained once' });
    seen.add(v);
  }
}

/** `--axis key=v1,v2` flags as axes; a key given twice is an error (its values would be lost). */
export function parseAxes(flags: readonly string[]): Record<string, string[]> {
  const axes: Record<string, string[]> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0 || eq === f.length - 1) throw new UserError('an axis is key=value1,value2,...', { where: `--axis ${f}`, hint: 'e.g. --axis seed=1,2,3' });
    const key = f.slice(0, eq).trim();
    if (key in axes) throw new UserError(`axis "${key}" is given twice`, { where: `--axis ${f}`, hint: `list all its values in one flag: --axis ${key}=${[...axes[key], ...f.slice(eq + 1).split(',')].join(',')}` });
    checkAxisKey(key, `--axis ${f}`);
    axes[key] = f.slice(eq + 1).split(',').map((v) => v.trim());
    checkAxisValues(key, axes[key], `--axis ${f}`);
  }
  return axes;
}

/** The cells of a sweep, each checked by loading its config; two cells of one config are an error. */
export function planSweep(spec: SweepSpec): SweepPlan {
  const axes = Object.entries(spec.axes);
  const variants = Object.entries(spec.variants);
  const count = axes.reduce((n, [, values]) => n * values.length, 1) * Math.max(variants.length, 1);
  if (count > MAX_CELLS) {
    throw new UserError(`the sweep has ${count.toLocaleString('en-US')} cells (${[...axes.map(([k, v]) => `${v.length} ${k}`), ...(variants.length ? [`${variants.length} variants`] : [])].join(' x ')}); at most ${MAX_CELLS} are allowed`, { where: spec.config, hint: 'split it into smaller sweeps; dmil sweep --dry-run lists the cells' });
  }
  let combos: { sets: string[]; label: string[] }[] = [{ sets: [], label: [] }];
  for (const [key, values] of axes) {
    combos = combos.flatMap((c) => values.map((v) => ({ sets: [...c.sets, `${key}=${valueText(v)}`], label: [...c.label, `${key}=${valueText(v)}`] })));
  }
  if (variants.length) combos = combos.flatMap((c) => variants.map(([name, sets]) => ({ sets: [...c.sets, ...sets], label: [...c.label, name] })));
  const cells = combos.map((c, index) => ({ index, sets: [...spec.set, ...c.sets], label: c.label.join(' ') || 'base' }));
  let name = 'sweep';
  const byConfig = new Map<string, Cell>();
  for (const cell of cells) {
    let config: unknown;
    try {
      config = readConfigFile(spec.config, cell.sets).config;
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`cell ${cell.index} (${cell.label}): ${e.oneLine()}`, { hint: 'every cell must be a valid config' });
      throw e;
    }
    name = (config as { name: string }).name;
    const key = canonicalJson(config);
    const same = byConfig.get(key);
    if (same) throw new UserError(`cells ${same.index} (${same.label}) and ${cell.index} (${cell.label}) are the same config`, { where: spec.config, hint: 'each cell must differ from the others; remove the repeated value or variant' });
    byConfig.set(key, cell);
  }
  const fingerprint = createHash('sha256').update(fs.readFileSync(spec.config)).update(stringify({ cells: cells.map((c) => c.sets), config: spec.config })).digest('hex').slice(0, 10);
  return { id: `${name}-${fingerprint}`, name, config: spec.config, spec, cells };
}

/** JSON with keys sorted, so that equal configs give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}
