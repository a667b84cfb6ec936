// Killing a run at its write points (the code's DMIL_FAULT_KILL_AT hook, src/runs/storage.ts),
// resuming it, and comparing with the run that was never interrupted: metrics, both eval reports
// and the stages must be identical, and no temporary file or lock may be left behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEMP_PATTERN as TEMP } from '../../src/runs/atomic';
import { listRuns } from '../../src/runs/list';
import { lastLine, tmpDir, writeConfig } from '../helpers';
import { listTree, pool, runCliAsync, runFolders, runResult } from './harness';

/**
 * Trains `config` once to count its write points, then once per chosen point with a kill there,
 * resumes, and compares with the uninterrupted run. `every`: 1 kills at every point (the
 * integration tier); k > 1 at the first, the last and every k-th point (the fast tier).
 */
export async function killEverywhere(t: { diagnostic(m: string): void }, label: string, config: Record<string, unknown>, every = 1): Promise<void> {
  const dir = tmpDir(`faults-${label}`);
  const cfg = writeConfig(dir, config);
  const refRuns = path.join(dir, 'reference');
  const ref = await runCliAsync(['train', cfg, '--runs-dir', refRuns, '-q'], { DMIL_FAULT_COUNT: '1' });
  assert.equal(ref.status, 0, ref.stderr);
  const points = (ref.stderr.match(/dmil-fault: write point \d+/g) ?? []).length;
  assert.ok(points >= 10, `a run has write points to kill at (found ${points})`);
  const expected = runResult(path.join(refRuns, lastLine(ref.stdout)));

  const chosen = Array.from({ length: points }, (_, i) => i + 1).filter((n) => every === 1 || n === 1 || n === points || n % every === 0);
  const outcomes = await pool(chosen.map((n) => async () => {
    const runsDir = path.join(dir, `kill-${n}`);
    const killed = await runCliAsync(['train', cfg, '--runs-dir', runsDir, '-q'], { DMIL_FAULT_KILL_AT: String(n) });
    assert.equal(killed.signal, 'SIGKILL', `point ${n}: the process was killed (status ${killed.status}, ${killed.stderr})`);
    const ids = runFolders(runsDir);
    if (ids.length === 0) {
      // Killed before the run folder was committed: nothing is visible, only a hidden temporary folder may remain.
      assert.ok(!fs.existsSync(runsDir) || fs.readdirSync(runsDir).every((d) => d.startsWith('.') && TEMP.test(d)), `point ${n}: only hidden temporary folders`);
      if (fs.existsSync(runsDir)) {
        // The next command on the runs folder removes what the killed writer left.
        const next = await runCliAsync(['runs', '--runs-dir', runsDir]);
        assert.equal(next.status, 0, next.stderr);
        assert.match(next.stdout, /^no runs in /, `point ${n}: the hidden folder is never listed as a run`);
        assert.deepEqual(fs.readdirSync(runsDir), [], `point ${n}: dmil runs removed the killed writer's temporary folder`);
      }
      return 'no run';
    }
    assert.equal(ids.length, 1);
    const runDir = path.join(runsDir, ids[0]);
    const listed = listRuns(runsDir);
    const meta = JSON.parse(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8'));
    if (meta.status !== 'done') {
      assert.equal(listed[0].status, 'interrupted', `point ${n}: dmil runs shows the killed run as interrupted`);
      const resumed = await runCliAsync(['train', '--resume', ids[0], '--runs-dir', runsDir, '-q']);
      assert.equal(resumed.status, 0, `point ${n}: resume succeeds (${resumed.stderr})`);
      const leftovers = listTree(runDir).filter((f) => TEMP.test(f) || path.basename(f) === 'lock');
      assert.deepEqual(leftovers, [], `point ${n}: no temporary files or lock after the resume`);
    }
    assert.deepEqual(runResult(runDir), expected, `point ${n}: identical to the uninterrupted run`);
    return meta.status === 'done' ? 'done before the kill' : 'resumed';
  }), 2);
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  t.diagnostic(`${label}: ${points} write points, killed at ${chosen.length}; resumed and identical ${count('resumed')}, no run yet ${count('no run')}, already done ${count('done before the kill')}`);
  assert.ok(count('resumed') >= chosen.length - 4, 'most kill points leave a run to resume');
}

/** The DMIL config whose every stage is killed. */
export const dmilFaultConfig = (base: Record<string, unknown>): Record<string, unknown> => ({
  ...base,
  model: {
    paradigm: 'dmil', backbone: { hidden: [16], out: 8 },
    dmil: { latent: 4, stages: [{ name: 'decompose-intra', epochs: 2 }, { name: 'decompose-cross', epochs: 2 }, { name: 'finetune', epochs: 2 }] },
  },
  train: { epochs: 2, batch_size: 64, early_stop: { patience: 0 }, checkpoint_seconds: 0 },
});
