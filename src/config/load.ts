// Loading a config: YAML text -> --set overrides -> schema validation, with every error pointing
// at file:line:col (or at the --set that caused it) and suggesting a fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, stringify, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors';
import { isPathKey } from './dataSchema';
import { configSchema, type Config } from './schema';
import { describeIssue } from './issues';
import { applyOverrides, type Override, parseOverride } from './overrides';

export interface LoadedConfig {
  config: Config;
  /** The config file, or undefined when built from an object (tests, run folders). */
  file?: string;
}

interface Source {
  file: string;
  doc?: Document;
  lines?: LineCounter;
  overrides: Override[];
  /** The raw config with overrides applied: what was validated. */
  merged?: Record<string, unknown>;
}

export function readConfigFile(file: string, sets: readonly string[] = []): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'config file not found' : code === 'EISDIR' ? 'config path is a folder, not a file' : `cannot read config file (${code})`;
    throw new UserError(why, { where: file, hint: 'pass the path of a YAML config, e.g. configs/xor.yaml' });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lines.linePos(err.pos[0]);
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new UserError(`invalid YAML: ${msg}`, { where: `${file}:${pos.line}:${pos.col}`, hint: 'fix the YAML syntax (indentation, colons, quotes)' });
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError('a config must be a YAML mapping of keys (name, seed, data, model, train)', { where: `${file}:1:1` });
  }
  const resolved = resolvePaths(raw as Record<string, unknown>, path.dirname(path.resolve(file)));
  return validate(resolved, { file, doc, lines, overrides: parseOverrides(sets, resolved) });
}

/** Parses --set overrides; paths given with --set are relative to where the command runs. */
function parseOverrides(sets: readonly string[], raw: Record<string, unknown>): Override[] {
  const source = (raw.data as { source?: unknown } | undefined)?.source;
  return sets.map((t) => modalitiesByName(t, raw)).map(parseOverride).map((o) => (isPathKey(o.path, source, o.value) && typeof o.value === 'string' ? { ...o, value: path.resolve(o.value) } : o));
}

/**
 * `data.modalities.<name>.key=value` means the modality of that name: rewritten to its index,
 * `data.modalities.1.key=value`, from the config the overrides apply to.
 */
function modalitiesByName(text: string, raw: Record<string, unknown>): string {
  const m = /^(\s*data\.modalities\.)([^.=\d][^.=]*)(\..*|=.*)$/.exec(text);
  if (!m) return text;
  const list = (raw.data as { modalities?: { name?: unknown }[] } | undefined)?.modalities;
  const names = Array.isArray(list) ? list.map((x) => String(x?.name)) : [];
  const i = names.indexOf(m[2].trim());
  if (i < 0) {
    throw new UserError(`no modality named "${m[2].trim()}"`, { where: `--set ${text}`, hint: names.length ? `modalities are ${names.join(', ')} (or by position: data.modalities.0...)` : 'this config lists no modalities; address them by position, data.modalities.0...' });
  }
  return `${m[1]}${i}${m[3]}`;
}

/** Makes the config's file paths (see `isPathKey`) absolute, relative ones taken from `baseDir`. */
function resolvePaths(raw: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = structuredClone(raw);
  const source = (out.data as { source?: unknown } | undefined)?.source;
  const visit = (node: unknown, at: (string | number)[]): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      const key = Array.isArray(node) ? Number(k) : k;
      if (typeof v === 'string' && v !== '' && isPathKey([...at, key], source, v)) (node as Record<string, unknown>)[k] = path.resolve(baseDir, v);
      else visit(v, [...at, key]);
    }
  };
  visit(out.data, ['data']);
  return out;
}

/** Validates an in-memory config (a run's resolved config, or a test's object). */
export function configFromObject(raw: unknown, sets: readonly string[] = [], label = '<config>'): LoadedConfig {
  const copy = structuredClone(raw) as Record<string, unknown>;
  return validate(copy, { file: label, overrides: parseOverrides(sets, copy) });
}

function validate(raw: Record<string, unknown>, src: Source): LoadedConfig {
  const withSets = applyOverrides(raw, src.overrides);
  src.merged = withSets;
  const result = configSchema.safeParse(withSets);
  if (!result.success) {
    // An unknown key often explains the other problems (a misspelt key leaves a default), so it goes first.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    throw toUserError(issues[0], issues.length, src);
  }
  return { config: result.data, file: src.doc ? src.file : undefined };
}

/** The resolved config as YAML, defaults filled in: saved in each run. */
export function configToYaml(config: Config): string {
  return stringify(config, { lineWidth: 0 });
}

function toUserError(issue: z.core.$ZodIssue, total: number, src: Source): UserError {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const more = total > 1 ? `${total - 1} more problem${total > 2 ? 's' : ''} after this one` : undefined;
  const said = describeIssue(issue, path, (at) => valueAt(src, at));
  const locate = said.locate ?? path;
  const keyPath = said.keyPath ?? (path.join('.') || '(top level)');
  const hints = [said.hint, more].filter((h) => h !== undefined).join('; ') || undefined;
  return new UserError(`${keyPath}: ${said.message}`, { where: whereOf(src, path, locate, issue.code === 'unrecognized_keys'), hint: hints });
}

function valueAt(src: Source, path: readonly (string | number)[]): unknown {
  let cur: unknown = src.merged;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  a.length === b.length && a.every((k, i) => String(k) === String(b[i]));

/** file:line:col of the deepest node on the path that exists, or the --set that set it. */
function whereOf(src: Source, issuePath: readonly (string | number)[], locate: readonly (string | number)[], atKey: boolean): string {
  const n = (o: Override) => Math.min(o.path.length, issuePath.length);
  const set = [...src.overrides].reverse().find((o) => samePath(o.path.slice(0, n(o)), issuePath.slice(0, n(o))));
  if (set) return `--set ${set.text}`;
  if (!src.doc || !src.lines) return src.file;
  for (let n = locate.length; n >= 0; n--) {
    const sub = locate.slice(0, n);
    const node = findNode(src.doc, sub, atKey && n === locate.length);
    if (node?.range) {
      const pos = src.lines.linePos(node.range[0]);
      return `${src.file}:${pos.line}:${pos.col}`;
    }
  }
  return src.file;
}

/** For the last key of a path, the key node itself (so "unknown key" points at the key). */
function findNode(doc: Document, path: readonly (string | number)[], atKey: boolean): Node | undefined {
  if (path.length === 0) return doc.contents ?? undefined;
  const parent = path.length === 1 ? doc.contents : (doc.getIn(path.slice(0, -1), true) as Node | undefined);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    if (pair && isScalar(pair.key)) return (!atKey && isScalar(pair.value) ? pair.value : pair.key) as Node;
  }
  return doc.getIn(path, true) as Node | undefined;
}
