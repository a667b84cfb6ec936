// The config reference, generated from the schema: every key with its type, default and meaning.
import { z } from 'zod';
import { configSchema } from './schema';

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return 'mapping';
  const t = Array.isArray(s.type) ? s.type.join(' \\| ') : s.type ?? 'value';
  const range: string[] = [];
  if (s.minimum !== undefined && s.minimum > -1e15) range.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) range.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) range.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) range.push(`< ${s.exclusiveMaximum}`);
  return range.length ? `${t} (${range.join(', ')})` : t;
}

function rowsOf(s: JsonSchema, prefix: string, out: string[], required: boolean, descriptionOverride?: string): void {
  const variants = s.oneOf ?? s.anyOf;
  if (variants && !s.properties) {
    if (variants.every((v) => !v.properties)) {
      // A value of one of several types: one row.
      const merged: JsonSchema = { ...variants[0], type: undefined, enum: undefined, const: undefined };
      const row = variants.map((v) => typeOf(v)).join(' \\| ');
      const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required ? 'required' : 'optional';
      out.push(`| \`${prefix}\` | ${row} | ${def} | ${descriptionOverride ?? s.description ?? merged.description ?? ''} |`);
      return;
    }
    // Sections of a discriminated union (paradigms, sources): rows every variant shares come once,
    // then what each variant adds.
    const perVariant = variants.map((v) => {
      const rows: string[] = [];
      rowsOf(v, prefix, rows, required, descriptionOverride ?? s.description);
      return rows;
    });
    const tag = Object.entries(variants[0].properties ?? {}).find(([, p]) => p.const !== undefined)?.[0];
    const shared = perVariant[0].filter((r) => perVariant.every((rows) => rows.includes(r)));
    if (shared.length && tag) {
      out.push(`| \`${prefix}\`, every ${tag} | section | | ${descriptionOverride ?? s.description ?? ''} |`, ...shared);
    }
    for (const rows of perVariant) out.push(...rows.filter((r) => !shared.includes(r)));
    return;
  }
  if (s.properties) {
    const tag = Object.entries(s.properties).find(([, p]) => p.const !== undefined);
    const title = tag ? `\`${prefix}\` with \`${tag[0]}: ${String(tag[1].const)}\`` : `\`${prefix}\``;
    if (prefix && (tag || descriptionOverride || s.description)) out.push(`| ${title} | section | | ${descriptionOverride ?? s.description ?? ''} |`);
    for (const [k, child] of Object.entries(s.properties)) rowsOf(child, prefix ? `${prefix}.${k}` : k, out, (s.required ?? []).includes(k));
    if (s.items?.properties) rowsOf(s.items, `${prefix}[]`, out, true);
    return;
  }
  const def = s.default !== undefined ? `\`${JSON.stringify(s.default)}\`` : required ? 'required' : 'optional';
  out.push(`| \`${prefix}\` | ${typeOf(s)} | ${def} | ${descriptionOverride ?? s.description ?? ''} |`);
  if (s.items?.properties) rowsOf(s.items, `${prefix}[]`, out, true);
}

export function configReferenceMarkdown(): string {
  const out = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];
  rowsOf(configJsonSchema(), '', out, true);
  return `${out.join('\n')}\n`;
}
