// The same data through the csv and the npy source gives the same run, and a trained run
// evaluates new data of the same layout (1,500 rows; test/integration/csvScale.test.ts trains
// every paradigm from the 6,000-row version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastLine, runCli } from './helpers';
import { classNames as names, csvNpyFixture } from './csvNpy/fixture';

const { dir, runsDir, lines, csvCfg, npyCfg, evalJson } = csvNpyFixture(1500);

test('the csv and npy sources give the same data, hence the same accuracy (same split, same seed)', () => {
  const fromCsv = lastLine(runCli(['train', csvCfg, '--runs-dir', runsDir, '-q']).stdout);
  const fromNpy = lastLine(runCli(['train', npyCfg, '--runs-dir', runsDir, '-q']).stdout);
  const a = evalJson(fromCsv);
  const b = evalJson(fromNpy);
  assert.ok(Math.abs(a.accuracy - b.accuracy) <= 0.01, `csv ${a.accuracy} vs npy ${b.accuracy}`);
  assert.equal(a.accuracy, b.accuracy, 'identical float32 data and split train identically');
  const dataJson = JSON.parse(fs.readFileSync(path.join(runsDir, fromCsv, 'data.json'), 'utf8'));
  assert.deepEqual(dataJson.classNames, names, 'the class map is stored in the run');
  assert.equal(dataJson.standardisation[0].mean.length, 48);

  // New data with the same layout: here the test rows of the same file, then a file with an unknown label.
  const other = path.join(dir, 'other.csv');
  fs.writeFileSync(other, [lines[0], ...lines.slice(1).filter((l) => l.split(',')[2] === 'test')].join('\n') + '\n');
  const onOther = evalJson(fromCsv, ['--set', `data.path=${other}`]);
  assert.equal(onOther.split, 'all');
  assert.equal(onOther.samples, a.samples);
  assert.equal(onOther.accuracy, a.accuracy, 'the run\'s standardisation and class map are applied to new data');
  assert.equal(JSON.parse(fs.readFileSync(path.join(runsDir, fromCsv, 'eval', 'test.json'), 'utf8')).accuracy, a.accuracy, 'eval/test.json is untouched');

  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, [lines[0], lines[1].replace(/^s0,[a-z]+,/, 's0,yak,')].join('\n') + '\n');
  const r = runCli(['eval', fromCsv, '--runs-dir', runsDir, '--set', `data.path=${bad}`]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /sample s0: label "yak" is not one of the run's classes \(known classes: cat, dog, fox, owl\)/);
});
