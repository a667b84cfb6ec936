// Loading a config: YAML text -> --set overrides -> schema validation, with every error pointing
// at file:line:col (or at the --set that caused it) and suggesting a fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, stringify, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors';
import { isPathKey } from './dataSchema';
import { configSchema, type Config } from './schema';
import { keysAt, nearest, variantsWithKey } from './schemaWalk';
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
  let keyPath = path.join('.') || '(top level)';
  let message: string;
  let hint: string | undefined;
  let locate = path;

  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      keyPath = [...path, key].join('.');
      locate = [...path, key];
      const variants = variantsWithKey(configSchema, path, key);
      const chosen = variants ? String(valueAt(src, [...path, variants.discriminator])) : undefined;
      if (variants && variants.values.length) {
        // A key of another paradigm (or source): say whose it is.
        message = `"${key}" is not a key of ${variants.discriminator} ${chosen}`;
        hint = `it belongs to ${variants.discriminator} ${variants.values.join(', ')}; remove it, or set ${[...path, variants.discriminator].join('.')} to ${variants.values.length > 1 ? 'one of those' : variants.values[0]}`;
        break;
      }
      const allowed = keysAt(configSchema, path);
      if (allowed.includes(key)) {
        // Valid in another variant of this element (a modality of another source, say).
        const source = path[0] === 'data' ? ` with data.source ${String(valueAt(src, ['data', 'source']))}` : '';
        message = `"${key}" is not a key here${source}`;
        hint = `it belongs to another ${path[0] === 'data' ? 'data source' : 'variant'}; remove it, or see dmil schema for the keys of each`;
        break;
      }
      const near = nearest(key, allowed);
      message = `unknown key "${key}"`;
      hint = near ? `did you mean "${near}"?` : `valid keys here: ${allowed.join(', ')}`;
      break;
    }
    case 'invalid_type': {
      const got = valueAt(src, path);
      if (got === undefined) {
        message = 'missing required key';
        hint = `add "${path[path.length - 1]}" to the config`;
        locate = path.slice(0, -1);
      } else {
        const expected: Record<string, string> = { int: 'an integer', number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a mapping' };
        message = `expected ${expected[issue.expected] ?? issue.expected}, got ${describe(got)}`;
      }
      break;
    }
    case 'invalid_value': {
      const got = valueAt(src, path);
      const allowed = issue.values.map(String);
      message = `${describe(got)} is not one of ${allowed.join(', ')}`;
      const near = typeof got === 'string' ? nearest(got, allowed) : undefined;
      hint = near ? `did you mean "${near}"?` : undefined;
      break;
    }
    case 'invalid_union': {
      const got = valueAt(src, path);
      const note = (issue as { note?: string }).note;
      if (note === 'No matching discriminator') {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const v = got;
        message = v === undefined ? 'missing required key' : `${describe(v)} is not a known ${path[path.length - 1]}`;
        const near = typeof v === 'string' ? nearest(v, options) : undefined;
        hint = `supported: ${options.join(', ')}${near ? `; did you mean "${near}"?` : ''}`;
        if (v === undefined) locate = path.slice(0, -1);
      } else {
        message = `invalid value ${describe(got)}`;
      }
      break;
    }
    case 'too_small':
    case 'too_big': {
      const got = valueAt(src, path);
      const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const custom = isCustom(issue.message);
      if (Array.isArray(got)) message = custom ? issue.message : `needs ${op} ${bound} entries, has ${got.length}`;
      else if (typeof got === 'string') message = custom ? `${issue.message}, has ${got.length}` : `must be ${op} ${bound} characters long, has ${got.length}`;
      else message = custom ? `${issue.message}; got ${describe(got)}` : `must be ${op} ${bound}, got ${describe(got)}`;
      break;
    }
    default:
      message = issue.message;
  }
  const hints = [hint, more].filter((h) => h !== undefined).join('; ') || undefined;
  return new UserError(`${keyPath}: ${message}`, { where: whereOf(src, path, locate, issue.code === 'unrecognized_keys'), hint: hints });
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

/** A message the schema wrote itself (zod's own start "Too small" / "Too big"). */
const isCustom = (message: string) => !/^Too (small|big)/.test(message);

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}..." (${v.length} characters)` : `"${v}"`;
  if (Array.isArray(v)) return `a list`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}
