// A schema problem in words: what is wrong with the value at a key, and how to fix it (the key
// of another paradigm or source named as such, the nearest known key or value suggested). The
// caller adds where (file:line:column, or the --set that set it).
import type { z } from 'zod';
import { configSchema } from './schema';
import { keysAt, nearest, variantsWithKey } from './schemaWalk';

type Key = string | number;

export interface IssueText {
  message: string;
  hint?: string;
  /** The key path to show, when not the issue's own (an unknown key names itself). */
  keyPath?: string;
  /** The node to point at, when not the issue's own path. */
  locate?: Key[];
}

export function describeIssue(issue: z.core.$ZodIssue, path: Key[], valueAt: (path: Key[]) => unknown): IssueText {
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKey(issue.keys[0], path, valueAt);
    case 'invalid_type':
      return wrongType(issue.expected, path, valueAt(path));
    case 'invalid_value': {
      const got = valueAt(path);
      const allowed = issue.values.map(String);
      const near = typeof got === 'string' ? nearest(got, allowed) : undefined;
      return { message: `${describe(got)} is not one of ${allowed.join(', ')}`, hint: near ? `did you mean "${near}"?` : undefined };
    }
    case 'invalid_union':
      return unknownVariant(issue as { note?: string; options?: unknown[] }, path, valueAt(path));
    case 'too_small':
    case 'too_big':
      return outOfRange(issue, valueAt(path));
    default:
      return { message: issue.message };
  }
}

function unknownKey(key: string, path: Key[], valueAt: (path: Key[]) => unknown): IssueText {
  const at = { keyPath: [...path, key].join('.'), locate: [...path, key] };
  const variants = variantsWithKey(configSchema, path, key);
  if (variants && variants.values.length) {
    // A key of another paradigm (or source): say whose it is.
    const chosen = String(valueAt([...path, variants.discriminator]));
    return {
      ...at, message: `"${key}" is not a key of ${variants.discriminator} ${chosen}`,
      hint: `it belongs to ${variants.discriminator}${variants.values.length > 1 ? 's' : ''} ${variants.values.join(', ')}; remove it, or set ${[...path, variants.discriminator].join('.')} to ${variants.values.length > 1 ? 'one of those' : variants.values[0]}`,
    };
  }
  const allowed = keysAt(configSchema, path);
  if (allowed.includes(key)) {
    // Valid in another variant of this element (a modality of another source, say).
    const source = path[0] === 'data' ? ` with data.source ${String(valueAt(['data', 'source']))}` : '';
    return { ...at, message: `"${key}" is not a key here${source}`, hint: `it belongs to another ${path[0] === 'data' ? 'data source' : 'variant'}; remove it, or see dmil schema for the keys of each` };
  }
  const near = nearest(key, allowed);
  return { ...at, message: `unknown key "${key}"`, hint: near ? `did you mean "${near}"?` : `valid keys here: ${allowed.join(', ')}` };
}

const EXPECTED: Record<string, string> = { int: 'an integer', number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a mapping' };

function wrongType(expected: string, path: Key[], got: unknown): IssueText {
  if (got === undefined) return { message: 'missing required key', hint: `add "${path[path.length - 1]}" to the config`, locate: path.slice(0, -1) };
  return { message: `expected ${EXPECTED[expected] ?? expected}, got ${describe(got)}` };
}

function unknownVariant(issue: { note?: string; options?: unknown[] }, path: Key[], got: unknown): IssueText {
  if (issue.note !== 'No matching discriminator') return { message: `invalid value ${describe(got)}` };
  const options = (issue.options ?? []).map(String);
  const near = typeof got === 'string' ? nearest(got, options) : undefined;
  return {
    message: got === undefined ? 'missing required key' : `${describe(got)} is not a known ${path[path.length - 1]}`,
    hint: `supported: ${options.join(', ')}${near ? `; did you mean "${near}"?` : ''}`,
    ...(got === undefined ? { locate: path.slice(0, -1) } : {}),
  };
}

function outOfRange(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, got: unknown): IssueText {
  const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  const custom = isCustom(issue.message);
  if (Array.isArray(got)) return { message: custom ? issue.message : `needs ${op} ${bound} entries, has ${got.length}` };
  if (typeof got === 'string') return { message: custom ? `${issue.message}, has ${got.length}` : `must be ${op} ${bound} characters long, has ${got.length}` };
  return { message: custom ? `${issue.message}; got ${describe(got)}` : `must be ${op} ${bound}, got ${describe(got)}` };
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
