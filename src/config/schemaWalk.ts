// Finding the part of the zod schema that governs a key path, for suggestions ("did you mean")
// and for typing `--set` values.
import type { z } from 'zod';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  options?: AnySchema[];
  element?: AnySchema;
  valueType?: AnySchema;
  in?: AnySchema;
  out?: AnySchema;
  schema?: AnySchema;
  defaultValue?: unknown;
  discriminator?: string;
  values?: unknown[];
}

const defOf = (s: AnySchema): Def => (s as unknown as { def: Def }).def;

/** Strips defaults, optionals and refinements down to the schema that holds the shape. */
export function unwrap(s: AnySchema): AnySchema {
  for (;;) {
    const d = defOf(s);
    if (d.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    // A preprocess (transform -> schema) is governed by its output schema; other pipes by their input.
    else if (d.type === 'pipe' && d.in) s = defOf(d.in).type === 'transform' && d.out ? d.out : d.in;
    else return s;
  }
}

/** The schema governing `path`, or undefined if no key there is allowed. Unions are merged by trying each option. */
export function schemaAt(root: AnySchema, path: readonly (string | number)[]): AnySchema[] {
  let current: AnySchema[] = [root];
  for (const key of path) {
    const next: AnySchema[] = [];
    for (const s of current) next.push(...childOf(unwrap(s), key));
    if (next.length === 0) return [];
    current = next;
  }
  return current;
}

function childOf(s: AnySchema, key: string | number): AnySchema[] {
  const d = defOf(s);
  switch (d.type) {
    case 'object':
      return d.shape && typeof key === 'string' && key in d.shape ? [d.shape[key]] : [];
    case 'union':
      return (d.options ?? []).flatMap((o) => childOf(unwrap(o), key));
    case 'array':
      return d.element && (typeof key === 'number' || /^\d+$/.test(key)) ? [d.element] : [];
    case 'record':
      return d.valueType ? [d.valueType] : [];
    default:
      return [];
  }
}

/** The keys an object at `path` accepts (union of all options). */
export function keysAt(root: AnySchema, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  for (const s of schemaAt(root, path)) collectKeys(unwrap(s), keys);
  return [...keys];
}

function collectKeys(s: AnySchema, into: Set<string>): void {
  const d = defOf(s);
  if (d.type === 'object' && d.shape) Object.keys(d.shape).forEach((k) => into.add(k));
  if (d.type === 'union') (d.options ?? []).forEach((o) => collectKeys(unwrap(o), into));
}

/** The leaf kind at a path: used to keep `--set name=123` a string. */
export function leafKind(root: AnySchema, path: readonly (string | number)[]): string | undefined {
  const found = schemaAt(root, path);
  return found.length ? defOf(unwrap(found[0])).type : undefined;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** The schema's default for the value at `path`, if it declares one (cloned). */
export function defaultAt(root: AnySchema, path: readonly (string | number)[]): unknown {
  for (const s of schemaAt(root, path)) {
    let cur: AnySchema | undefined = s;
    while (cur) {
      const d = defOf(cur);
      if ((d.type === 'default' || d.type === 'prefault') && d.defaultValue !== undefined) return structuredClone(d.defaultValue);
      cur = d.innerType && ['optional', 'nullable', 'readonly', 'catch'].includes(d.type) ? d.innerType : undefined;
    }
  }
  return undefined;
}

/**
 * Where `path` is a discriminated union (the model's paradigms, the data's sources): the
 * discriminator and the values of the variants that accept `key`. Undefined elsewhere.
 */
export function variantsWithKey(root: AnySchema, path: readonly (string | number)[], key: string): { discriminator: string; values: string[] } | undefined {
  for (const s of schemaAt(root, path)) {
    const d = defOf(unwrap(s));
    if (d.type !== 'union' || !d.discriminator) continue;
    const values: string[] = [];
    for (const option of d.options ?? []) {
      const od = defOf(unwrap(option));
      const tag = od.shape?.[d.discriminator];
      if (od.shape && key in od.shape && tag) values.push(...(defOf(tag).values ?? []).map(String));
    }
    return { discriminator: d.discriminator, values };
  }
  return undefined;
}
