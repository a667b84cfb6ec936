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

/** docs/reference/config.md: how configs are read, the shipped configs, then every key. */
export function configReferenceDocument(): string {
  return `# Configuration reference

Generated from the config schema by \`npm run docs\` (\`dmil schema --markdown\` prints the table);
\`test/config.test.ts\` fails when this file and the schema disagree. Do not edit it by hand.

A config is YAML. Unknown keys are refused with the nearest valid key suggested, and every error
names \`file:line:column\`. \`--set path=value\` (repeatable) overrides any key; values are read as
YAML (\`--set model.backbone.hidden=[256,128]\`, \`--set data.mix={R: 1}\`), and a modality can be
named instead of numbered (\`--set data.modalities.b.noise=1\`). Each paradigm and each data source
has its own keys: a key of another one is an error that says whose it is. \`dmil schema >
dmil.schema.json\` and a first config line \`# yaml-language-server: $schema=dmil.schema.json\`
give completion and checks in editors with the YAML language server.

A run's \`config.yaml\` holds every key resolved. Reading a run of an earlier dmil version fills
the keys added since with that version's behaviour (CHANGELOG.md, \`src/config/versions.ts\`).

Shipped configs (\`configs/\`):

| config | what it shows |
| --- | --- |
| \`mix.yaml\` | DMIL on all four interaction types (synthetic; R .3, U1 .2, U2 .2, S .3), modality b noisier; \`--set model.paradigm=joint\` etc. for the baselines |
| \`fashion-pairs.yaml\` | the same four types built from pairs of real Fashion-MNIST images (needs \`apt-get install dataset-fashion-mnist\`) |
| \`mix3.yaml\` | DMIL on three modalities (text, audio, vision) with known types R, U1, U2, U3, S |
| \`liang2023.yaml\` | the synthetic data of Liang et al. (NeurIPS 2023) and their PID discretisation (\`pid.discretise: liang2023\`), for \`dmil pid\` |
| \`xor.yaml\` | every sample XOR-synergy: \`joint\` far above chance, \`ensemble\` at chance |
| \`fashion-halves.yaml\` | Fashion-MNIST, the top and bottom half of each image as two modalities, conv2d backbones |
| \`example-csv.yaml\` | features from \`datasets/example.csv\`: id, string labels, split column, two modalities chosen by glob |
| \`example-npy.yaml\` | the same data from \`.npy\` files and a split CSV; gives the same result as the CSV |

${configReferenceMarkdown()}
`;
}
