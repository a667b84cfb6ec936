// A sweep's plan: a base config and the cells to train, one `--set` list each. Cells are the
// cross product of the axes (any config key with a list of values) and the named variants (a set
// of `--set`s under one label, for ablations). The plan is checked before anything runs: every
// cell's config must load.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { readConfigFile } from '../config/load';
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

/** Reads a sweep file (YAML), errors at file:line:column. */
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
  const parsed = sweepSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    let node = doc.getIn(keyPath, true) as { range?: [number, number] } | undefined;
    if (issue.code === 'unrecognized_keys') {
      // Point at the key itself, not its value.
      const parent = (issue.path.length ? doc.getIn(issue.path, true) : doc.contents) as { items?: { key?: { value?: unknown; range?: [number, number] } }[] } | undefined;
      const pair = parent?.items?.find((it) => it.key?.value === issue.keys[0]);
      if (pair?.key?.range) node = pair.key;
    }
    for (let cut = keyPath.length - 1; !node?.range && cut >= 0; cut--) node = doc.getIn(keyPath.slice(0, cut), true) as { range?: [number, number] } | undefined;
    const pos = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    const what = issue.code === 'unrecognized_keys' ? `unknown key "${issue.keys[0]}" (keys: ${Object.keys(sweepSchema.shape).join(', ')})` : issue.message;
    throw new UserError(`${keyPath.join('.') || '(top level)'}: ${what}`, { where: `${file}:${pos.line}:${pos.col}` });
  }
  return { ...parsed.data, config: path.resolve(path.dirname(path.resolve(file)), parsed.data.config) };
}

/** `--axis key=v1,v2` flags as axes. */
export function parseAxes(flags: readonly string[]): Record<string, string[]> {
  const axes: Record<string, string[]> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0 || eq === f.length - 1) throw new UserError('an axis is key=value1,value2,...', { where: `--axis ${f}`, hint: 'e.g. --axis seed=1,2,3' });
    axes[f.slice(0, eq).trim()] = f.slice(eq + 1).split(',').map((v) => v.trim());
  }
  return axes;
}

/** The cells of a sweep, each checked by loading its config. */
export function planSweep(spec: SweepSpec): SweepPlan {
  const axes = Object.entries(spec.axes);
  let combos: { sets: string[]; label: string[] }[] = [{ sets: [], label: [] }];
  for (const [key, values] of axes) {
    combos = combos.flatMap((c) => values.map((v) => ({ sets: [...c.sets, `${key}=${valueText(v)}`], label: [...c.label, `${key}=${valueText(v)}`] })));
  }
  const variants = Object.entries(spec.variants);
  if (variants.length) combos = combos.flatMap((c) => variants.map(([name, sets]) => ({ sets: [...c.sets, ...sets], label: [...c.label, name] })));
  const cells = combos.map((c, index) => ({ index, sets: [...spec.set, ...c.sets], label: c.label.join(' ') || 'base' }));
  let name = 'sweep';
  for (const cell of cells) {
    try {
      name = readConfigFile(spec.config, cell.sets).config.name;
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`cell ${cell.index} (${cell.label}): ${e.oneLine()}`, { hint: 'every cell must be a valid config' });
      throw e;
    }
  }
  const fingerprint = createHash('sha256').update(fs.readFileSync(spec.config)).update(stringify({ cells: cells.map((c) => c.sets), config: spec.config })).digest('hex').slice(0, 10);
  return { id: `${name}-${fingerprint}`, name, config: spec.config, spec, cells };
}
