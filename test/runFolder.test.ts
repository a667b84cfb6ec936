import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeFolderAtomic } from '../src/runs/atomic';
import { createRunFolder, resolveRun } from '../src/runs/runFolder';
import { UserError } from '../src/errors';
import { tmpDir } from './helpers';

test('run ids are unique even when many runs start in the same second', () => {
  const dir = tmpDir('ids');
  const now = new Date(2026, 0, 2, 3, 4, 5);
  const ids = Array.from({ length: 200 }, () => createRunFolder(dir, 'x', () => ({ 'meta.json': '{}' }), now).id);
  assert.equal(new Set(ids).size, 200);
  assert.ok(ids.every((id) => id.startsWith('x-20260102-030405-')));
  assert.equal(fs.readdirSync(dir).length, 200);
  assert.ok(ids.every((id) => fs.readFileSync(path.join(dir, id, 'meta.json'), 'utf8') === '{}'));
});

test('atomic writes leave no temporary files; folders are never overwritten', () => {
  const dir = tmpDir('atomic');
  const f = path.join(dir, 'a.json');
  writeFileAtomic(f, 'one');
  writeFileAtomic(f, 'two');
  assert.equal(fs.readFileSync(f, 'utf8'), 'two');
  writeFolderAtomic(path.join(dir, 'ck'), { 'model.json': '{}' });
  assert.throws(() => writeFolderAtomic(path.join(dir, 'ck'), { 'model.json': '{"x":1}' }), /refusing to overwrite/);
  assert.equal(fs.readFileSync(path.join(dir, 'ck', 'model.json'), 'utf8'), '{}');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.json', 'ck']);
});

test('runs resolve by id, unique prefix or path; unknown ids are a user error', () => {
  const dir = tmpDir('resolve');
  const record = (id: string) => JSON.stringify({ id, status: 'done', stages_done: ['train'], paradigm: 'joint' });
  const { id } = createRunFolder(dir, 'exp', (runId) => ({ 'meta.json': record(runId) }));
  assert.equal(resolveRun(id, dir).id, id);
  assert.equal(resolveRun('exp-', dir).id, id);
  assert.equal(resolveRun(path.join(dir, id), 'elsewhere').id, id);
  assert.throws(() => resolveRun('nope', dir), (e: unknown) => e instanceof UserError && /no run "nope"/.test(e.message));
  assert.throws(() => resolveRun('', dir), (e: unknown) => e instanceof UserError && /the run id is empty/.test(e.message), 'an empty id never matches as a prefix');
  // Folders that only look like runs are not runs: no record, another run's record, a link.
  fs.mkdirSync(path.join(dir, 'exp-look'));
  fs.writeFileSync(path.join(dir, 'exp-look', 'meta.json'), '{"anything": 1}');
  fs.cpSync(path.join(dir, id), path.join(dir, 'exp-copy'), { recursive: true });
  fs.symlinkSync(path.join(dir, id), path.join(dir, 'exp-link'));
  for (const fake of ['exp-look', 'exp-copy', 'exp-link']) assert.throws(() => resolveRun(fake, dir, { idOnly: true }), /not a dmil run folder/, fake);
  assert.equal(resolveRun(id, dir, { idOnly: true }).id, id, 'the run itself is one');
  assert.throws(() => resolveRun(path.join(dir, id), dir, { idOnly: true }), /name the run by its id, not by a path/);
});
