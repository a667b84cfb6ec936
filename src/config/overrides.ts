// `--set path=value` overrides: applied to the raw config before validation, so the schema types
// and checks them like any other value. Values are read as YAML (`[64, 32]`, `true`, `{R: 1}`),
// except where the schema expects a string.
import { parse } from 'yaml';
import { UserError } from '../errors';
import { configSchema } from './schema';
import { defaultAt, keysAt, leafKind, nearest, schemaAt } from './schemaWalk';

export interface Override {
  path: (string | number)[];
  value: unknown;
  /** As the user typed it, for error messages. */
  text: string;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UserError('expected key.path=value', { where: `--set ${text}`, hint: 'e.g. --set train.epochs=10' });
  }
  const keyText = text.slice(0, eq).trim();
  const valueText = text.slice(eq + 1);
  const path = keyText.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  if (path.some((k) => k === '')) throw new UserError(`empty key in "${keyText}"`, { where: `--set ${text}`, hint: 'e.g. --set data.mix.S=1' });

  for (let i = 0; i < path.length; i++) {
    if (schemaAt(configSchema, path.slice(0, i + 1)).length === 0) {
      const parent = path.slice(0, i);
      const allowed = keysAt(configSchema, parent);
      const near = nearest(String(path[i]), allowed);
      const at = parent.length ? ` in ${parent.join('.')}` : '';
      throw new UserError(`unknown key "${path[i]}"${at}`, {
        where: `--set ${text}`,
        hint: near ? `did you mean "${[...parent, near].join('.')}"?` : allowed.length ? `valid keys: ${allowed.join(', ')}` : undefined,
      });
    }
  }
  let value: unknown;
  if (leafKind(configSchema, path) === 'string') value = valueText;
  else {
    try {
      value = parse(valueText);
    } catch (e) {
      throw new UserError(`cannot read the value as YAML: ${(e as Error).message.split('\n')[0]}`, { where: `--set ${text}` });
    }
  }
  return { path, value, text };
}

/** Returns a copy of `raw` with the overrides applied in order; missing parents are created. */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly Override[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const o of overrides) {
    let cur: Record<string | number, unknown> = out;
    for (let i = 0; i < o.path.length - 1; i++) {
      const k = o.path[i];
      const next = cur[k];
      if (next === null || typeof next !== 'object') {
        // A missing list or section starts from its default, so `stages.2.epochs=5` edits the
        // default stages instead of building a list with holes.
        const fallback = defaultAt(configSchema, o.path.slice(0, i + 1));
        cur[k] = fallback !== null && typeof fallback === 'object' ? fallback : typeof o.path[i + 1] === 'number' ? [] : {};
      }
      cur = cur[k] as Record<string | number, unknown>;
    }
    cur[o.path[o.path.length - 1]] = o.value;
  }
  return out;
}
