// `dmil pid` on data whose interaction type is known: the matching component dominates (the batch
// estimator's version is in test/integration/pidBatch.test.ts); and the
// command end to end (a config, a run, per-sample scores beside decompose's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { selectBackend } from '../src/backend/select';
import { configFromObject } from '../src/config/load';
import { prepareForTraining } from '../src/experiment/data';
import { measurePid } from '../src/pid/measure';
import { pidOf } from './pid/singleType';
import { silentLogger } from '../src/log';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';

test('exact PID on synthetic data of a single type (4 classes, 6,000 samples, low noise): the matching component has >= 1.5 bits, the others <= 0.2', async () => {
  await selectBackend('wasm');
  for (const type of ['R', 'U1', 'U2', 'S'] as const) {
    const v = (await pidOf(type, ['exact'])).exact!.values;
    for (const k of ['R', 'U1', 'U2', 'S'] as const) {
      if (k === type) assert.ok(v[k] >= 1.5, `all-${type}: ${k} = ${v[k].toFixed(3)} >= 1.5`);
      else assert.ok(v[k] <= 0.2, `all-${type}: ${k} = ${v[k].toFixed(3)} <= 0.2`);
    }
  }
});

test('dmil pid on a config and on a run: JSON with both estimators and intervals; per-sample scores carry decompose\'s ids', async () => {
  const dir = tmpDir('pid-cli');
  // 600 samples: the test split (90) holds the 10 per cluster the exact estimator asks for.
  const base = tinyConfig();
  const cfg = writeConfig(dir, { ...base, data: { ...(base.data as object), samples: 600 }, pid: { bootstrap: 20, batch: { epochs: 2 } } });
  const fromConfig = runCli(['pid', cfg, '--estimator', 'exact', '--json', '-q']);
  assert.equal(fromConfig.status, 0, fromConfig.stderr);
  const j = JSON.parse(fromConfig.stdout);
  assert.equal(j.split, 'all');
  for (const k of ['R', 'U1', 'U2', 'S', 'H_Y', 'I_X1X2_Y']) assert.equal(typeof j.exact.values[k], 'number');
  // H(Y) against the label entropy of the same samples, computed here.
  const { data } = await prepareForTraining(configFromObject(parseYaml(fs.readFileSync(cfg, 'utf8'))).config);
  const counts = new Map<number, number>();
  data.labels.forEach((y) => counts.set(y, (counts.get(y) ?? 0) + 1));
  const hY = -[...counts.values()].reduce((a, c) => a + (c / data.labels.length) * Math.log2(c / data.labels.length), 0);
  assert.ok(Math.abs(j.exact.values.H_Y - hY) < 1e-9, `H(Y) ${j.exact.values.H_Y} = ${hY}`);
  assert.ok(j.exact.values.I_X1X2_Y <= hY + 1e-9, 'I(X1, X2; Y) <= H(Y)');
  assert.equal(j.exact.intervals.S.length, 2);

  const runsDir = path.join(dir, 'runs');
  const id = lastLine(runCli(['train', cfg, '--runs-dir', runsDir, '-q']).stdout);
  const scores = path.join(dir, 'scores.csv');
  const fromRun = runCli(['pid', id, '--runs-dir', runsDir, '--pointwise', scores, '-q']);
  assert.equal(fromRun.status, 0, fromRun.stderr);
  assert.match(fromRun.stdout, /^PID of test \(\d+ samples, 3 classes\)/);
  assert.match(fromRun.stdout, /\nexact +\S/);
  assert.match(fromRun.stdout, /\nbatch +\S/);
  const rows = parse(fs.readFileSync(scores, 'utf8'), { columns: true }) as Record<string, string>[];
  const out = path.join(dir, 'decompose.csv');
  assert.equal(runCli(['decompose', id, '--runs-dir', runsDir, '--out', out]).status, 0);
  const ids = (parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[]).map((r) => r.id);
  assert.deepEqual(rows.map((r) => r.id), ids, 'same samples, same order as dmil decompose');
  for (const r of rows) {
    const [i1, i2, rr] = ['i_a', 'i_b', 'r'].map((k) => Number(r[k]));
    assert.ok(Math.abs(rr - Math.min(i1, i2)) < 1e-5, 'the pointwise redundancy is the smaller unimodal score');
  }
  const bad = runCli(['pid', id, '--runs-dir', runsDir, '--set', 'model.paradigm=dmil']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /only data\.\* keys can be changed when reading a run/);
});

test('three modalities: pid measures the two named by --modalities (the information only the third holds counts nowhere), and without them stops with one line', async () => {
  await selectBackend('cpu');
  const raw = {
    name: 'pid-k3', seed: 2,
    data: {
      source: 'synthetic', samples: 3000, classes: 4, mix: { R: 0, U1: 0, U2: 0, U3: 1, S: 0 },
      modalities: [{ name: 'a', dim: 16, noise: 0.3 }, { name: 'b', dim: 16, noise: 0.3 }, { name: 'c', dim: 16, noise: 0.3 }],
    },
    model: { paradigm: 'joint', backbone: { hidden: [16], out: 8 } },
    pid: { bootstrap: 0 },
  };
  const config = configFromObject(raw).config;
  const { data } = await prepareForTraining(config);
  const withC = await measurePid({ config, data, estimators: ['exact'], pointwise: false, modalities: ['a', 'c'], logger: silentLogger });
  assert.deepEqual([withC.modalities, withC.of], [['a', 'c'], ['a', 'b', 'c']]);
  assert.ok(withC.exact!.values.U2 >= 1.5, `U of c: ${withC.exact!.values.U2}`);
  assert.ok(withC.exact!.values.U1 <= 0.2 && withC.exact!.values.R <= 0.2 && withC.exact!.values.S <= 0.2, JSON.stringify(withC.exact!.values));
  const withoutC = await measurePid({ config, data, estimators: ['exact'], pointwise: false, modalities: ['a', 'b'], logger: silentLogger });
  assert.ok(withoutC.exact!.values.I_X1X2_Y <= 0.2, `a and b hold nothing about y: ${withoutC.exact!.values.I_X1X2_Y}`);

  const dir = tmpDir('pid-k3');
  const cfg = writeConfig(dir, raw);
  const refused = runCli(['pid', cfg, '--estimator', 'exact']);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr.trim(), 'dmil: --modalities: this data has 3 modalities (a, b, c); the PID here is defined for two (name the two to measure, e.g. --modalities a,b)');
  const unknown = runCli(['pid', cfg, '--estimator', 'exact', '--modalities', 'a,d']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^dmil: --modalities: no modality "d" in this data \(the modalities are a, b, c\)\n$/);
  const ok = runCli(['pid', cfg, '--estimator', 'exact', '--modalities', 'c,a', '--set', 'pid.bootstrap=0']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /modalities c and a of a, b, c: a two-modality measure/);
});
