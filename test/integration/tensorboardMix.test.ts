// TensorBoard event files, read back by the test's own decoder (test/support/tfevents.ts): a DMIL
// run on configs/mix.yaml with --tensorboard holds every metrics.csv value as <stage>/<split>/<name>
// at its epoch, exactly, and nothing else under those tags; the running loss, the config text,
// the session's hyper-parameters and the final metrics; a corrupted record is detected. `dmil
// export` writes the same scalars for TensorBoard, and DVCLive files with the same numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { unframeRecords } from '../../src/tensorboard/record';
import { decodeEvent, readRecords, type DecodedEvent } from '../support/tfevents';
import { lastLine, repoRoot, runCli, tmpDir } from '../helpers';

/** Every event of every event file in `dir`. */
function eventsIn(dir: string): DecodedEvent[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.')).flatMap((n) => {
    const framing = readRecords(fs.readFileSync(path.join(dir, n)));
    assert.equal(framing.stopped, undefined, `${n}: ${framing.stopped}`);
    return framing.records.map(decodeEvent);
  });
}

/** Scalars by "tag@step". */
function scalars(events: DecodedEvent[], keep: (tag: string) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    for (const v of e.values) {
      if (v.number === undefined || !keep(v.tag)) continue;
      const key = `${v.tag}@${e.step}`;
      assert.ok(!out.has(key), `${key} written twice`);
      out.set(key, v.number);
    }
  }
  return out;
}

/** metrics.csv's finite cells as "stage/split/column@epoch" -> value. */
function csvCells(file: string): Map<string, number> {
  const rows = parseCsv(fs.readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  const out = new Map<string, number>();
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) if (!['stage', 'epoch', 'split'].includes(k) && v !== '') out.set(`${r.stage}/${r.split}/${k}@${r.epoch}`, Number(v));
  }
  return out;
}

const isEpochTag = (tag: string) => /^[^/]+\/(train|val)\/[^/]+$/.test(tag) && !tag.endsWith('/running_loss') && !tag.startsWith('final/');

test('a DMIL run on configs/mix.yaml with --tensorboard: every metrics.csv value at its epoch, the running loss, the config, hparams and final metrics; a corrupted record is detected', () => {
  const dir = tmpDir('tensorboard');
  const runs = path.join(dir, 'runs');
  const r = runCli(['train', path.join(repoRoot, 'configs', 'mix.yaml'), '--runs-dir', runs, '--tensorboard', '-q', '--set', 'model.paradigm=dmil', '--set', 'train.epochs=2']);
  assert.equal(r.status, 0, r.stderr);
  const run = path.join(runs, lastLine(r.stdout));
  const board = path.join(run, 'tensorboard');
  const events = eventsIn(board);
  assert.equal(events[0].fileVersion, 'brain.Event:2');

  const csv = csvCells(path.join(run, 'metrics.csv'));
  const written = scalars(events, isEpochTag);
  assert.ok(csv.size > 50, `metrics.csv has ${csv.size} values`);
  assert.deepEqual([...written.keys()].sort(), [...csv.keys()].sort(), 'the same (tag, step) pairs as metrics.csv cells');
  for (const [key, value] of csv) assert.equal(written.get(key), value, key);

  // The running loss every 50 optimiser steps of each stage (6,000 x 0.7 / 128 = 33 steps an epoch).
  const running = [...scalars(events, (t) => t.endsWith('/running_loss')).keys()];
  assert.deepEqual(running.filter((k) => k.startsWith('decompose-intra/')), ['decompose-intra/train/running_loss@50']);
  const config = events.flatMap((e) => e.values).find((v) => v.tag === 'config');
  assert.equal(config?.plugin, 'text');
  assert.equal(config?.strings?.[0], `\`\`\`yaml\n${fs.readFileSync(path.join(run, 'config.yaml'), 'utf8')}\`\`\``);
  const start = events.flatMap((e) => e.values).find((v) => v.tag === '_hparams_/session_start_info');
  assert.deepEqual(start?.hparams, { 'model.paradigm': 'dmil', 'train.epochs': 2 });
  const test = JSON.parse(fs.readFileSync(path.join(run, 'eval', 'test.json'), 'utf8'));
  assert.equal(scalars(events, (t) => t.startsWith('final/')).get('final/test/accuracy@0'), test.accuracy);
  assert.ok(events.flatMap((e) => e.values).some((v) => v.tag === '_hparams_/session_end_info'));

  // One flipped byte inside a record's data: both decoders stop there.
  const file = path.join(board, fs.readdirSync(board)[0]);
  const bytes = fs.readFileSync(file);
  const firstLength = Number(bytes.readBigUInt64LE(0));
  const at = 12 + firstLength + 4 + 12 + 3; // the 4th byte of the second record's data
  bytes[at] ^= 0xff;
  assert.match(readRecords(bytes).stopped ?? '', /data CRC mismatch in record 1/);
  const ours = unframeRecords(bytes);
  assert.equal(ours.records.length, 1);
  assert.equal(ours.complete, false);

  // dmil export: the same epoch scalars for TensorBoard; DVCLive's files with metrics.csv's numbers.
  const out = path.join(dir, 'exported');
  const id = path.basename(run);
  assert.equal(runCli(['export', id, '--runs-dir', runs, '--tensorboard', path.join(out, 'tb')]).status, 0);
  const exported = scalars(eventsIn(path.join(out, 'tb', id)), isEpochTag);
  assert.deepEqual([...exported].sort(), [...written].sort());
  const dvc = path.join(out, 'dvclive');
  const ex = runCli(['export', id, '--runs-dir', runs, '--dvclive', dvc]);
  assert.equal(ex.status, 0, ex.stderr);
  const fromTsv = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const [header, ...lines] = fs.readFileSync(p, 'utf8').trim().split('\n');
        const name = e.name.replace(/\.tsv$/, '');
        assert.equal(header, `timestamp\tstep\t${name}`);
        const tag = path.relative(path.join(dvc, 'plots', 'metrics'), p).replace(/\.tsv$/, '');
        for (const line of lines) {
          const [timestamp, step, value] = line.split('\t');
          assert.match(timestamp, /^\d{13}$/);
          fromTsv.set(`${tag}@${step}`, Number(value));
        }
      }
    }
  };
  walk(path.join(dvc, 'plots', 'metrics'));
  assert.deepEqual([...fromTsv].sort(), [...csv].sort());
  const metrics = JSON.parse(fs.readFileSync(path.join(dvc, 'metrics.json'), 'utf8'));
  assert.equal(metrics.final.test.accuracy, test.accuracy);
  assert.deepEqual(parseYaml(fs.readFileSync(path.join(dvc, 'params.yaml'), 'utf8')), parseYaml(fs.readFileSync(path.join(run, 'config.yaml'), 'utf8')));
  assert.deepEqual(parseYaml(fs.readFileSync(path.join(dvc, 'dvc.yaml'), 'utf8')), { params: ['params.yaml'], metrics: ['metrics.json'], plots: [{ 'plots/metrics': { x: 'step' } }] });
  // An export never overwrites.
  const again = runCli(['export', id, '--runs-dir', runs, '--dvclive', dvc]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists; dmil does not overwrite an export/);
});
