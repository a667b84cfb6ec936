// Bad config values generated from the config schema itself: for every key of every data source
// and paradigm, values of the wrong type and values just outside its range. Each must give exit 2,
// one line naming the file, line and key, and no run folder.
import { configJsonSchema } from '../../src/config/reference';

interface Json {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Json>;
  items?: Json;
  oneOf?: Json[];
  anyOf?: Json[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  maxLength?: number;
  minItems?: number;
}

export interface BadValue {
  /** Key path, e.g. data.modalities.0.dim. */
  key: string;
  /** What is wrong, for the test name. */
  what: string;
  /** The whole config with the bad value in place. */
  config: Record<string, unknown>;
}

/** A valid starting point per data source and paradigm (config validation only; files need not exist). */
const DATA_BASES: Record<string, Record<string, unknown>> = {
  synthetic: { source: 'synthetic', samples: 100 },
  csv: { source: 'csv', path: 'x.csv', modalities: [{ name: 'a', columns: 'a*' }, { name: 'b', columns: 'b*' }] },
  npy: { source: 'npy', labels: 'y.npy', modalities: [{ name: 'a', path: 'a.npy' }, { name: 'b', path: 'b.npy' }] },
  idx: { source: 'idx', images: 'i.idx', labels: 'l.idx' },
  pairs: { source: 'pairs', images: 'i.idx', labels: 'l.idx' },
  pickle: { source: 'pickle', path: 'x.pkl', modalities: [{ name: 'a' }, { name: 'b' }] },
  hdf5: { source: 'hdf5', path: 'x.h5', labels: 'y', modalities: [{ name: 'a' }, { name: 'b' }] },
};
const MODEL_EXTRA: Record<string, Record<string, unknown>> = { unimodal: { modality: 'a' } };

/**
 * Valid contents for optional sections that are absent from the bases (and for each variant of a
 * union section), so a bad value inside one is the config's only problem: files per split, the
 * validation rule, a label transform.
 */
const splitFiles = { labels: 'y.npy', modalities: { a: 'a.npy', b: 'b.npy' } };
const SECTION_BASES: Record<string, unknown> = {
  'data.splits': { train: splitFiles, test: splitFiles },
  'data.splits.val': splitFiles,
  'data.val_from_train': {},
  // The hdf5 source's splits are row ranges, with a validation range.
  'hdf5:data.splits': { train: [0, 10], val: [10, 20], test: [20, 30] },
  // The pickle source's splits are keys of the file, all defaulted.
  'pickle:data.splits': {},
};
const UNION_BASES: Record<string, (o: Json) => unknown> = {
  'data.label_transform': (o) => ({ type: o.properties?.type?.const }),
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function setAt(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  path.slice(0, -1).forEach((k, i) => {
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[k] as Record<string | number, unknown>;
  });
  cur[path[path.length - 1]] = value;
}

function getAt(obj: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined), obj);
}

function badValuesFor(s: Json): { what: string; value: unknown }[] {
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  const out: { what: string; value: unknown }[] = [];
  if (s.const !== undefined) return out;
  if (s.enum) return [{ what: 'a value not in the list', value: 'no-such-choice' }, { what: 'a number for a choice', value: 3 }];
  if (t === 'number' || t === 'integer') {
    out.push({ what: 'text for a number', value: 'twelve' });
    if (s.minimum !== undefined && s.minimum > -1e15) out.push({ what: 'below its minimum', value: s.minimum - 1 });
    if (s.exclusiveMinimum !== undefined) out.push({ what: 'at its exclusive minimum', value: s.exclusiveMinimum });
    if (s.maximum !== undefined && s.maximum < 1e15) out.push({ what: 'above its maximum', value: s.maximum + 1 });
    if (t === 'integer') out.push({ what: 'a fraction for an integer', value: 1.5 });
  } else if (t === 'string') {
    out.push({ what: 'a list for a string', value: ['x'] });
    if (s.pattern) out.push({ what: 'characters it does not allow', value: 'has space/and slash' });
    if (s.maxLength !== undefined) out.push({ what: 'too long', value: 'n'.repeat(s.maxLength + 1) });
  } else if (t === 'boolean') {
    out.push({ what: 'text for a yes/no', value: 'maybe' });
  } else if (t === 'array') {
    out.push({ what: 'a number for a list', value: 7 });
  }
  return out;
}

/** Every generated bad value, over the data sources and paradigms. */
export function generateBadValues(base: Record<string, unknown>): BadValue[] {
  const root = configJsonSchema() as Json;
  const cases: BadValue[] = [];
  const seen = new Set<string>();
  const walk = (s: Json, path: (string | number)[], cfg: Record<string, unknown>) => {
    const options = s.oneOf ?? s.anyOf;
    if (options && !options.some((o) => o.properties || o.oneOf || o.anyOf || o.items?.properties)) {
      // A union of plain values (a string or a list of strings, say): a value of none of its types.
      const types = new Set(options.flatMap((o) => (Array.isArray(o.type) ? o.type : [o.type])));
      const bad = types.has('boolean') ? { what: 'a mapping for a value', value: { x: 1 } } : { what: 'a yes/no for a value', value: true };
      addCase(path, cfg, bad);
      return;
    }
    if (options) {
      for (const o of options) {
        const disc = Object.entries(o.properties ?? {}).find(([, p]) => p.const !== undefined);
        let variant = cfg;
        if (disc && (path[0] === 'data' || path[0] === 'model') && path.length === 1) {
          variant = clone(cfg);
          const value = String(disc[1].const);
          if (path[0] === 'data') variant.data = clone(DATA_BASES[value] ?? { source: value });
          else variant.model = { paradigm: value, ...(MODEL_EXTRA[value] ?? {}) };
        }
        const unionBase = UNION_BASES[path.join('.')];
        if (unionBase) {
          variant = clone(cfg);
          setAt(variant, path, unionBase(o));
        }
        walk(o, path, variant);
      }
      return;
    }
    if (s.properties) {
      let withSection = cfg;
      const source = String((cfg.data as { source?: string } | undefined)?.source);
      const sectionBase = SECTION_BASES[`${source}:${path.join('.')}`] ?? SECTION_BASES[path.join('.')];
      if (sectionBase !== undefined && getAt(cfg, path) === undefined) {
        withSection = clone(cfg);
        setAt(withSection, path, clone(sectionBase));
      }
      for (const [k, p] of Object.entries(s.properties)) walk(p, [...path, k], withSection);
      return;
    }
    if (s.items && (s.items.properties || s.items.oneOf)) {
      // Items are changed in the list's default (or the variant's base), so their other keys stay valid.
      let withList = cfg;
      if (getAt(cfg, path) === undefined && Array.isArray((s as { default?: unknown }).default)) {
        withList = clone(cfg);
        setAt(withList, path, clone((s as { default?: unknown }).default));
      }
      walk(s.items, [...path, 0], withList);
    }
    for (const bad of badValuesFor(s)) addCase(path, cfg, bad);
  };
  const addCase = (path: (string | number)[], cfg: Record<string, unknown>, bad: { what: string; value: unknown }) => {
    const key = path.join('.');
    const variantTag = `${String((cfg.data as { source?: string }).source)}/${String((cfg.model as { paradigm?: string }).paradigm)}`;
    const id = `${key} ${bad.what}`;
    if (seen.has(id)) return;
    seen.add(id);
    const config = clone(cfg);
    setAt(config, path, bad.value);
    cases.push({ key, what: `${bad.what} (${variantTag})`, config });
  };
  walk(root, [], clone(base));
  return cases;
}
