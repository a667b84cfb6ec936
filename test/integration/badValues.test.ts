// Every bad value the config schema admits as a mistake (generated from the schema): exit 2, one
// line naming file:line:column and the key, no run folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { tmpDir } from '../helpers';
import { generateBadValues } from '../faults/badValues';
import { pool, runCliAsync } from '../faults/harness';

const dir = tmpDir('bad-values');
const runsDir = path.join(dir, 'runs');
fs.mkdirSync(runsDir);
const noRunFolder = () => assert.deepEqual(fs.readdirSync(runsDir), [], 'no run folder left behind');

function oneLine(r: { status: number | null; stderr: string }, expect: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: exit 2 (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^dmil: /, what);
  assert.match(lines[0], expect, what);
}

test('every bad value the schema can generate: exit 2, one line naming file:line:column and the key, no run folder', async (t) => {
  const cases = generateBadValues({ name: 'bad', data: { source: 'synthetic', samples: 100 }, model: { paradigm: 'joint' }, train: { epochs: 1 } });
  assert.ok(cases.length >= 150, `enough generated cases (${cases.length})`);
  const results = await pool(cases.map((c, i) => async () => {
    const file = path.join(dir, `gen-${i}.yaml`);
    fs.writeFileSync(file, stringify(c.config));
    return { c, file, r: await runCliAsync(['train', file, '--runs-dir', runsDir]) };
  }), 2);
  for (const { c, file, r } of results) {
    const key = c.key.replace(/\./g, '\\.');
    oneLine(r, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: ${key}: `), `${c.key}: ${c.what}`);
  }
  noRunFolder();
  t.diagnostic(`${cases.length} generated bad values`);
});
