// Run folders under hostile conditions: two resumes at once, a full disk, and damaged files.
import { test } from 'node:test';
import { TEMP_PATTERN } from '../../src/runs/atomic';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns } from '../../src/runs/list';
import { lastLine, runCli, tinyConfig, tmpDir, writeConfig } from '../helpers';
import { listTree, runCliAsync, runFolders, runResult } from '../faults/harness';

const TEMP = TEMP_PATTERN;

function oneLine(r: { status: number | null; stderr: string }, expect: RegExp, what: string): void {
  assert.equal(r.status, 2, `${what}: exit 2 (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${r.stderr}`);
  assert.match(lines[0], expect, what);
}

/** Every file a run folder holds parses as what it is (no truncated file in place). */
function assertReadable(runDir: string): void {
  for (const f of listTree(runDir)) {
    const p = path.join(runDir, f);
    if (fs.statSync(p).isDirectory()) continue;
    if (f.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(fs.readFileSync(p, 'utf8')), `${f} is whole JSON`);
    if (f.endsWith('model.json')) {
      const m = JSON.parse(fs.readFileSync(p, 'utf8'));
      const weights = path.join(path.dirname(p), m.weightsManifest[0].paths[0]);
      const need = m.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(fs.statSync(weights).size, need, `${f}: its weights file is whole`);
    }
  }
}

test('two resumes at once: exactly one trains, the other says who has the run in one line; the run ends done and identical', async () => {
  const dir = tmpDir('double');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 40, batch_size: 8, early_stop: { patience: 0 } } }));
  const reference = runCli(['train', cfg, '--runs-dir', path.join(dir, 'ref'), '-q']);
  assert.equal(reference.status, 0, reference.stderr);
  const runsDir = path.join(dir, 'runs');
  const killed = await runCliAsync(['train', cfg, '--runs-dir', runsDir, '-q'], { DMIL_FAULT_KILL_AT: '12' });
  assert.equal(killed.signal, 'SIGKILL');
  const [id] = runFolders(runsDir);
  const both = await Promise.all([0, 1].map(() => runCliAsync(['train', '--resume', id, '--runs-dir', runsDir, '-q'])));
  const winners = both.filter((r) => r.status === 0);
  assert.equal(winners.length, 1, `one resume trains: ${both.map((r) => `${r.status} ${r.stderr}`).join(' | ')}`);
  const loser = both.find((r) => r.status !== 0)!;
  oneLine(loser, new RegExp(`^dmil: ${id}: run is in use by process \\d+ on .+ \\(dmil train --resume, since`), 'the other resume');
  assert.equal(listRuns(runsDir)[0].status, 'done');
  assert.deepEqual(runResult(path.join(runsDir, id)), runResult(path.join(dir, 'ref', lastLine(reference.stdout))));
});

test('disk full at several points: one line naming the file, the run marked failed (or no run), nothing truncated, no temporary files; resume completes it', async () => {
  const dir = tmpDir('enospc');
  const cfg = writeConfig(dir, tinyConfig());
  const reference = runCli(['train', cfg, '--runs-dir', path.join(dir, 'ref'), '-q']);
  const expected = runResult(path.join(dir, 'ref', lastLine(reference.stdout)));
  for (const at of [1, 2, 4, 7, 10, 13, 16]) {
    const runsDir = path.join(dir, `full-${at}`);
    const r = await runCliAsync(['train', cfg, '--runs-dir', runsDir, '-q'], { DMIL_FAULT_ENOSPC_AT: String(at) });
    oneLine(r, /^dmil: .+: no space left on the device \(ENOSPC\) writing this file \(free some space, or pass another --runs-dir/, `ENOSPC at write ${at}`);
    const ids = runFolders(runsDir);
    const hidden = fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((d) => d.startsWith('.')) : [];
    assert.deepEqual(hidden, [], `ENOSPC at write ${at}: no temporary run folder`);
    if (ids.length === 0) continue;
    const runDir = path.join(runsDir, ids[0]);
    assert.match(r.stderr, new RegExp(`the run is marked failed: continue it with dmil train --resume ${ids[0]}`));
    assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8')).status, 'failed', `ENOSPC at write ${at}: failed`);
    assert.deepEqual(listTree(runDir).filter((f) => TEMP.test(f)), [], `ENOSPC at write ${at}: no temporary files`);
    assertReadable(runDir);
    const resumed = runCli(['train', '--resume', ids[0], '--runs-dir', runsDir, '-q']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(runResult(runDir), expected, `ENOSPC at write ${at}: resumed to the identical result`);
  }
});

test('a real full file system (tmpfs of several sizes): one line, the run failed or absent, nothing truncated, no temporary files', (t) => {
  const cfg = writeConfig(tmpDir('tmpfs-cfg'), tinyConfig({ model: { paradigm: 'joint', backbone: { hidden: [64], out: 32 } }, train: { epochs: 3, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0 } }));
  let full = 0;
  for (const kib of [16, 48, 96, 144]) {
    const mnt = tmpDir(`tmpfs-${kib}`);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mnt]);
    if (mounted.status !== 0) {
      t.skip(`cannot mount a tmpfs here (${String(mounted.stderr).trim() || 'mount failed'}); the injected-ENOSPC test above covers the same code paths`);
      return;
    }
    try {
      const runsDir = path.join(mnt, 'runs');
      const r = runCli(['train', cfg, '--runs-dir', runsDir, '-q']);
      if (r.status === 0) continue;
      full += 1;
      oneLine(r, /no space left on the device \(ENOSPC\)/, `tmpfs of ${kib} KiB`);
      assert.deepEqual(fs.readdirSync(runsDir).filter((d) => d.startsWith('.')), [], `${kib} KiB: no temporary run folder`);
      for (const id of runFolders(runsDir)) {
        const runDir = path.join(runsDir, id);
        assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'meta.json'), 'utf8')).status, 'failed', `${kib} KiB: marked failed`);
        assert.deepEqual(listTree(runDir).filter((f) => TEMP.test(f)), [], `${kib} KiB: no temporary files`);
        assertReadable(runDir);
      }
    } finally {
      spawnSync('umount', [mnt]);
    }
  }
  assert.ok(full >= 3, `at least three sizes ran out of space (${full})`);
});

test('damaged run files: one line naming the file and what to do; dmil runs still lists the run; resume repairs what it can', () => {
  const dir = tmpDir('damage');
  const cfg = writeConfig(dir, tinyConfig());
  const good = path.join(dir, 'good');
  const id = lastLine(runCli(['train', cfg, '--runs-dir', good, '-q']).stdout);
  const expected = runResult(path.join(good, id));
  const weights = path.join('checkpoints', 'train', 'weights.bin');
  const cases: { name: string; damage: (runDir: string) => void; evalSays: RegExp; repaired?: boolean; resumeSays?: RegExp; listed?: string }[] = [
    { name: 'truncated meta.json', damage: (d) => truncate(path.join(d, 'meta.json')), evalSays: /meta\.json: damaged run file: not valid JSON/, listed: 'unreadable' },
    { name: 'meta.json with an unknown status', damage: (d) => edit(path.join(d, 'meta.json'), (m) => ({ ...m, status: 'great' })), evalSays: /meta\.json: damaged run file: unknown status "great"/, listed: 'unreadable' },
    { name: 'truncated weights.bin', damage: (d) => truncate(path.join(d, weights)), evalSays: /weights\.bin: damaged run file: \d+ bytes where the manifest needs \d+ \(dmil train --resume .+ trains stage train again/, repaired: true },
    { name: 'weights of the right length but other values', damage: (d) => fs.writeFileSync(path.join(d, weights), Buffer.alloc(fs.statSync(path.join(d, weights)).size, 7)), evalSays: /weights\.bin: damaged run file: its checksum does not match model\.json/, repaired: true },
    { name: 'garbage model.json', damage: (d) => fs.writeFileSync(path.join(d, 'checkpoints', 'train', 'model.json'), '\u0000garbage'), evalSays: /model\.json: damaged run file: not valid JSON/, repaired: true },
    { name: 'model.json of something else', damage: (d) => fs.writeFileSync(path.join(d, 'checkpoints', 'train', 'model.json'), '{"format":"layers-model"}'), evalSays: /model\.json: damaged run file: not a dmil checkpoint/, repaired: true },
    { name: 'missing stage checkpoint', damage: (d) => fs.rmSync(path.join(d, 'checkpoints', 'train'), { recursive: true }), evalSays: /model\.json: damaged run file: missing/, repaired: true },
    { name: 'invalid config.yaml', damage: (d) => fs.writeFileSync(path.join(d, 'config.yaml'), 'name: [x\n'), evalSays: /config\.yaml: damaged run file: not valid YAML/ },
    { name: 'config.yaml that is no longer a config', damage: (d) => fs.writeFileSync(path.join(d, 'config.yaml'), 'name: x\nnot_a_key: 1\n'), evalSays: /config\.yaml: damaged run file: not a valid config of dmil \d+\.\d+\.\d+ \(.*unknown key "not_a_key"/ },
    { name: 'split.csv with an unknown split', damage: (d) => fs.writeFileSync(path.join(d, 'split.csv'), 'id,split\n0,holdout\n'), evalSays: /split\.csv: damaged run file: unknown split "holdout" for sample 0/ },
    { name: 'corrupt data.json', damage: (d) => truncate(path.join(d, 'data.json')), evalSays: /data\.json: damaged run file/ },
    { name: 'corrupt metrics.csv on resume', damage: (d) => { fs.writeFileSync(path.join(d, 'metrics.csv'), 'stage,epoch\n"unterminated'); edit(path.join(d, 'meta.json'), (m) => ({ ...m, status: 'interrupted' })); }, evalSays: /run is interrupted, not done/, resumeSays: /metrics\.csv: damaged run file: not a valid CSV .+ \(delete it to resume without the earlier rows, or restore it\)/, listed: 'interrupted' },
    { name: 'corrupt eval/test.json', damage: (d) => truncate(path.join(d, 'eval', 'test.json')), evalSays: /^$/, listed: 'done' },
  ];
  for (const c of cases) {
    const runsDir = path.join(dir, c.name.replace(/\W+/g, '-'));
    fs.cpSync(good, runsDir, { recursive: true });
    c.damage(path.join(runsDir, id));
    const listed = listRuns(runsDir);
    assert.equal(listed.length, 1, `${c.name}: dmil runs lists the run`);
    assert.equal(listed[0].status, c.listed ?? 'done', `${c.name}: status in dmil runs`);
    const ev = runCli(['eval', id, '--runs-dir', runsDir, '--json']);
    if (c.evalSays.source === '^$') {
      assert.equal(ev.status, 0, `${c.name}: eval rewrites the report (${ev.stderr})`);
      assert.equal(listRuns(runsDir)[0].test_accuracy, (expected.test as { accuracy: number }).accuracy);
      continue;
    }
    oneLine(ev, c.evalSays, `${c.name}: eval`);
    if (c.resumeSays) oneLine(runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q']), c.resumeSays, `${c.name}: resume`);
    if (c.repaired) {
      const resumed = runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q']);
      assert.equal(resumed.status, 0, `${c.name}: resume repairs it (${resumed.stderr})`);
      assert.deepEqual(runResult(path.join(runsDir, id)), expected, `${c.name}: the repaired run is identical`);
    }
  }
});

test('a damaged resume checkpoint starts its stage again instead of failing the run', async () => {
  const dir = tmpDir('damage-resume');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 4, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0 } }));
  const reference = runCli(['train', cfg, '--runs-dir', path.join(dir, 'ref'), '-q']);
  const runsDir = path.join(dir, 'runs');
  const killed = await runCliAsync(['train', cfg, '--runs-dir', runsDir, '-q'], { DMIL_FAULT_KILL_AT: '12' });
  assert.equal(killed.signal, 'SIGKILL');
  const [id] = runFolders(runsDir);
  const resumeDir = path.join(runsDir, id, 'checkpoints', 'resume');
  const w = fs.readdirSync(resumeDir).find((f) => f.endsWith('.bin'))!;
  truncate(path.join(resumeDir, w));
  const resumed = runCli(['train', '--resume', id, '--runs-dir', runsDir, '-q']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /checkpoints\/resume\/weights-.+\.bin is damaged \(\d+ bytes where the manifest needs \d+\); train starts again from its beginning/);
  assert.deepEqual(runResult(path.join(runsDir, id)), runResult(path.join(dir, 'ref', lastLine(reference.stdout))));
});

function truncate(file: string): void {
  const b = fs.readFileSync(file);
  fs.writeFileSync(file, b.subarray(0, Math.floor(b.length / 2)));
}

function edit(file: string, f: (v: Record<string, unknown>) => unknown): void {
  fs.writeFileSync(file, JSON.stringify(f(JSON.parse(fs.readFileSync(file, 'utf8')))));
}
