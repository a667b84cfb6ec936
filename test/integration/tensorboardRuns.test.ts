// TensorBoard files under faults and sweeps, read by the test's own decoder: a run killed in the
// middle of appending an event record leaves a file whose complete records read and whose partial
// last record is where reading stops (as TensorBoard stops); the resumed run adds a second file,
// no (tag, step) appears twice across them, and the epoch scalars equal metrics.csv; a sweep's
// runs carry the sweep's axes as their hyper-parameters, and its export names them in the
// HParams experiment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { runCliAsync } from '../faults/harness';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from '../helpers';
import { decodeEvent, readRecords, type DecodedEvent } from '../support/tfevents';

const eventFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.')).sort();

test('a run killed mid-record resumes into a second event file with no step twice; its scalars equal metrics.csv', async () => {
  const dir = tmpDir('tb-kill');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 6, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0, tensorboard: true, tensorboard_steps: 2 } }));
  const count = await runCliAsync(['train', cfg, '--runs-dir', path.join(dir, 'count'), '-q'], { DMIL_FAULT_COUNT: '1' });
  assert.equal(count.status, 0, count.stderr);
  const mid = [...count.stderr.matchAll(/write point (\d+) \(tensorboard, mid-record\)/g)].map((m) => Number(m[1]));
  assert.ok(mid.length >= 7, `a flush per epoch and at the start and end (found ${mid.length})`);
  const runsDir = path.join(dir, 'runs');
  const killed = await runCliAsync(['train', cfg, '--runs-dir', runsDir, '-q'], { DMIL_FAULT_KILL_AT: String(mid[4]) });
  assert.equal(killed.signal, 'SIGKILL');
  const id = fs.readdirSync(runsDir).find((d) => !d.startsWith('.'))!;
  const board = path.join(runsDir, id, 'tensorboard');
  const [first] = eventFiles(board);
  const partial = readRecords(fs.readFileSync(path.join(board, first)));
  assert.match(partial.stopped ?? '', /truncated (record|header)/, 'the killed writer left half a record');
  assert.ok(partial.records.length > 10, 'the records before it read');

  const resumed = runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const files = eventFiles(board);
  assert.equal(files.length, 2, 'the resumed run adds a file');
  const events: DecodedEvent[] = files.flatMap((f) => readRecords(fs.readFileSync(path.join(board, f))).records.map(decodeEvent));
  const seen = new Map<string, number>();
  for (const e of events) {
    for (const v of e.values) {
      const key = `${v.tag}@${e.step}`;
      assert.ok(!seen.has(key), `${key} appears twice`);
      if (v.number !== undefined) seen.set(key, v.number);
    }
  }
  const rows = parseCsv(fs.readFileSync(path.join(runsDir, id, 'metrics.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  let cells = 0;
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (['stage', 'epoch', 'split'].includes(k) || v === '') continue;
      cells++;
      // Timing differs between the killed and the resumed process; everything else is replayed exactly.
      if (k !== 'epoch_seconds') assert.equal(seen.get(`${r.stage}/${r.split}/${k}@${r.epoch}`), Number(v), `${r.stage}/${r.split}/${k}@${r.epoch}`);
      else assert.ok(seen.has(`${r.stage}/${r.split}/${k}@${r.epoch}`));
    }
  }
  assert.equal([...seen.keys()].filter((k) => /^train\/(train|val)\/[^/]+@/.test(k) && !k.includes('running_loss')).length, cells);
  assert.ok([...seen.keys()].some((k) => k.startsWith('train/train/running_loss@')));
  assert.ok(seen.has('final/test/accuracy@0'));
});

test('a sweep with --tensorboard: each run\'s hyper-parameters are the sweep\'s axes; export names them in the experiment', () => {
  const dir = tmpDir('tb-sweep');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const axes = ['--axis', 'seed=1,2', '--axis', 'model.paradigm=joint,late-fusion'];
  const r = runCli(['sweep', cfg, ...axes, '--tensorboard', '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(r.status, 0, r.stderr);
  const sweep = lastLine(r.stdout);
  const runs = fs.readdirSync(runsDir).filter((d) => d !== 'sweeps');
  assert.equal(runs.length, 4);
  const settings = runs.map((run) => {
    const board = path.join(runsDir, run, 'tensorboard');
    const start = eventFiles(board).flatMap((f) => readRecords(fs.readFileSync(path.join(board, f))).records.map(decodeEvent)).flatMap((e) => e.values).find((v) => v.tag === '_hparams_/session_start_info');
    assert.deepEqual(Object.keys(start?.hparams ?? {}), ['seed', 'model.paradigm'], run);
    return `${start!.hparams!.seed} ${start!.hparams!['model.paradigm']}`;
  });
  assert.deepEqual(settings.sort(), ['1 joint', '1 late-fusion', '2 joint', '2 late-fusion']);
  const out = path.join(dir, 'tb');
  const ex = runCli(['export', sweep, '--runs-dir', runsDir, '--tensorboard', out]);
  assert.equal(ex.status, 0, ex.stderr);
  const experiment = fs.readdirSync(out).find((d) => d.startsWith('experiment-'))!;
  const values = eventFiles(path.join(out, experiment)).flatMap((f) => readRecords(fs.readFileSync(path.join(out, experiment, f))).records.map(decodeEvent)).flatMap((e) => e.values);
  assert.deepEqual(values.find((v) => v.tag === '_hparams_/experiment')?.experimentHparams, ['seed', 'model.paradigm']);
  assert.equal(fs.readdirSync(out).length, 5, 'four runs and the experiment');
});
