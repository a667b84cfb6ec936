// Output files the user names: only regular files outside run and sweep folders, never through a
// link, never a device or FIFO, an existing file only with --force. In-process and fast; the CLI
// cases are in integration/hostileCases.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../src/errors';
import { checkOutputFile, dmilFolderAround, writeOutputFile } from '../src/runs/outputFile';
import { tmpDir } from './helpers';

test('checkOutputFile refuses links, devices, FIFOs, folders, files in run or sweep folders, missing folders, and existing files without --force', () => {
  const dir = tmpDir('out');
  const at = (p: string) => path.join(dir, p);
  fs.writeFileSync(at('target.csv'), 'keep');
  fs.symlinkSync(at('target.csv'), at('link.csv'));
  spawnSync('mkfifo', [at('fifo.csv')]);
  fs.mkdirSync(at('run/eval'), { recursive: true });
  fs.writeFileSync(at('run/meta.json'), '{}');
  fs.writeFileSync(at('run/config.yaml'), 'name: x\n');
  fs.mkdirSync(at('sweep/cells'), { recursive: true });
  fs.writeFileSync(at('sweep/plan.json'), '{}');
  const line = (why: RegExp) => (e: unknown) => e instanceof UserError && why.test(e.oneLine());
  const refuses = (out: string, why: RegExp, force = false) => assert.throws(() => checkOutputFile(out, '--out', { force }), line(why), out);
  refuses(at('link.csv'), /--out is a symbolic link/, true);
  refuses(at('fifo.csv'), /--out is a FIFO \(named pipe\), not a regular file/, true);
  refuses('/dev/null', /--out is a device, not a regular file/, true);
  refuses(at('run'), /--out is a folder; it needs a file name/, true);
  refuses(`${dir}/`, /--out is a folder; it needs a file name/, true);
  refuses(at('run/meta.json'), /--out is inside a run folder, whose files only dmil writes/, true);
  refuses(at('run/eval/new.json'), /--out is inside a run folder/, true);
  refuses(at('sweep/cells/0.run'), /--out is inside a sweep folder/, true);
  refuses(at('nowhere/x.csv'), /the folder of the output file does not exist/);
  refuses(at('target.csv/x.csv'), /a part of the output path is a file, not a folder/);
  refuses(at('target.csv'), /--out exists \(pass --force to replace it/);
  assert.throws(() => checkOutputFile(at('target.csv'), '--out'), line(/--out exists \(dmil never replaces it; choose another name\)/), 'a command without --force says so');
  refuses('', /--out is empty/);
  assert.equal(fs.readFileSync(at('target.csv'), 'utf8'), 'keep');
  assert.equal(dmilFolderAround(at('run/eval'))?.kind, 'run');
  assert.equal(dmilFolderAround(dir), null);

  const replaced = checkOutputFile(at('target.csv'), '--out', { force: true });
  writeOutputFile(replaced, 'new');
  assert.equal(fs.readFileSync(at('target.csv'), 'utf8'), 'new');
  assert.deepEqual(checkOutputFile('-', '--out'), { file: null, option: '--out', force: undefined });
});

test('writeOutputFile checks again just before writing: a link put in place after the check is refused, its target unchanged', () => {
  const dir = tmpDir('out-race');
  const target = checkOutputFile(path.join(dir, 'scores.csv'), '--out', { force: false });
  fs.writeFileSync(path.join(dir, 'victim'), 'keep');
  fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'scores.csv'));
  assert.throws(() => writeOutputFile(target, 'x'), /--out is a symbolic link/);
  assert.equal(fs.readFileSync(path.join(dir, 'victim'), 'utf8'), 'keep');
  assert.ok(fs.lstatSync(path.join(dir, 'scores.csv')).isSymbolicLink(), 'the link is left as it was');
});
