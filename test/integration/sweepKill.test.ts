// A local sweep killed midway (the whole process group, SIGKILL) finishes the rest when run
// again, without retraining the cells it had finished. (Moved from the fast tier: 15 s.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dmilBin, lastLine, runCli, sweepStatusRows as statusRows, tinyConfig, tmpDir, writeConfig } from '../helpers';

const axes = ['--axis', 'seed=1,2', '--axis', 'model.paradigm=joint,ensemble'];

test('a sweep killed midway finishes the rest when run again, without retraining its done cells', async () => {
  const dir = tmpDir('sweep-kill');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 40, batch_size: 8, early_stop: { patience: 0 } } }));
  const child = spawn(process.execPath, [dmilBin, 'sweep', cfg, ...axes, '--jobs', '1', '--runs-dir', runsDir, '-q'], { detached: true, stdio: 'ignore' });
  const sweeps = path.join(runsDir, 'sweeps');
  const doneCells = () => {
    if (!fs.existsSync(sweeps) || !fs.readdirSync(sweeps).length) return [];
    return statusRows(fs.readdirSync(sweeps)[0], runsDir).filter((r) => r[2] === 'done');
  };
  for (let i = 0; i < 600 && doneCells().length < 1; i++) await new Promise((r) => setTimeout(r, 100));
  process.kill(-child.pid!, 'SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const before = doneCells();
  assert.ok(before.length >= 1 && before.length < 4, `killed midway (${before.length} cells done)`);
  const again = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(again.status, 0, again.stderr);
  const after = statusRows(lastLine(again.stdout), runsDir);
  assert.ok(after.every((r) => r[2] === 'done'), 'every cell done');
  for (const b of before) assert.deepEqual(after.find((r) => r[0] === b[0]), b, `cell ${b[0]} kept its run and was not tried again`);
});

