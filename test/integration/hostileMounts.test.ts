// The hostile tester's cases that need root: kills at the N-th fsync (strace), full disks (a tmpfs
// filled to the last block) and read-only runs folders (a tmpfs remounted read-only). Numbered as
// in shared/reports/hostile-cases.md. `.ci/run` runs this file as root with strace installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dmilBin, lastLine, repoRoot, runCli, tinyConfig, tmpDir, writeConfig, type CliResult } from '../helpers';

/** Why this file cannot run here, or null: it needs root (mount) and strace. */
function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  if (spawnSync('sh', ['-c', 'command -v strace']).status !== 0) return 'needs strace (apt-get install strace; .ci/run installs it)';
  return null;
}

function oneLine(n: number, r: CliResult, expect: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(r.status, 2, `case ${n}: exit 2 (${r.stderr})`);
  assert.equal(lines.length, 1, `case ${n}: one line:\n${r.stderr}`);
  assert.match(lines[0], expect, `case ${n}`);
}

/** A tmpfs of `kib` KiB mounted on a new folder; `use` runs with it, then it is unmounted. */
function withTmpfs(kib: number, use: (mnt: string) => void): void {
  const mnt = tmpDir(`mnt-${kib}`);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mount a tmpfs: ${r.stderr}`);
  try {
    use(mnt);
  } finally {
    spawnSync('umount', ['-l', mnt]);
  }
}

/** Fills the file system of `dir` to its last byte. */
function fill(dir: string): void {
  spawnSync('sh', ['-c', `dd if=/dev/zero of="${path.join(dir, 'filler')}" bs=4k 2>/dev/null; dd if=/dev/zero of="${path.join(dir, 'filler2')}" bs=1 2>/dev/null; true`]);
}

const hidden = (runsDir: string) => (fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((d) => d.startsWith('.')) : []);

test('cases 48-61: a kill at each of the first fsyncs of a run leaves nothing the next command lists or keeps: no hidden folder, an interrupted run that resumes', (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const dir = tmpDir('fsync');
  const base = { ...tinyConfig(), name: 'xor', data: { source: 'synthetic', samples: 400, classes: 4, mix: { S: 1 }, modalities: [{ name: 'a', dim: 6, noise: 0.3 }, { name: 'b', dim: 6, noise: 0.3 }] } };
  const configs: [string, Record<string, unknown>, number[]][] = [
    ['xor3', { ...base, train: { epochs: 3, batch_size: 32 } }, [1, 2, 3, 4, 5, 6]],
    ['xor3c0', { ...base, train: { epochs: 3, batch_size: 32, checkpoint_seconds: 0 } }, [1, 2, 3, 4, 5, 6]],
    ['dmilc0', { ...base, model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 } }, train: { epochs: 2, batch_size: 32, checkpoint_seconds: 0 } }, [1, 5]],
  ];
  let n = 48;
  let hiddenLeft = 0;
  for (const [name, config, kills] of configs) {
    const cfg = writeConfig(dir, config, `${name}.yaml`);
    for (const at of kills) {
      const runsDir = path.join(dir, `${name}-${at}`);
      spawnSync('strace', ['-f', '-o', '/dev/null', '-e', `inject=fsync:signal=SIGKILL:when=${at}`, process.execPath, dmilBin, 'train', cfg, '--runs-dir', runsDir, '-q'], { cwd: repoRoot });
      hiddenLeft += hidden(runsDir).length;
      const listed = runCli(['runs', '--runs-dir', runsDir, '--json']);
      if (!fs.existsSync(runsDir)) {
        n++;
        continue;
      }
      assert.equal(listed.status, 0, `case ${n} (${name}, fsync ${at}): ${listed.stderr}`);
      const runs = JSON.parse(listed.stdout) as { id: string; status: string }[];
      assert.deepEqual(hidden(runsDir), [], `case ${n} (${name}, fsync ${at}): dmil runs removed the hidden temporary folder`);
      assert.ok(runs.every((r) => !r.id.startsWith('.')), `case ${n}: no hidden folder listed as a run`);
      for (const r of runs.filter((x) => x.status !== 'done')) {
        assert.equal(r.status, 'interrupted', `case ${n}`);
        const resumed = runCli(['train', '--resume', r.id, '--runs-dir', runsDir, '-q']);
        assert.equal(resumed.status, 0, `case ${n}: the killed run resumes: ${resumed.stderr}`);
      }
      n++;
    }
  }
  assert.equal(n, 62, 'cases 48-61');
  assert.ok(hiddenLeft >= 6, `the kills left hidden folders for dmil runs to remove (${hiddenLeft})`);
});

test('cases 62-65: on a full disk eval, decompose and sweep say so in one line and leave no lock, no empty sweep folder; the next command is not blocked', (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const dir = tmpDir('full');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } } }));
  const trained = path.join(dir, 'runs');
  const id = lastLine(runCli(['train', cfg, '--runs-dir', trained, '-q']).stdout);
  const csv = path.join(dir, 'new.csv');
  withTmpfs(2048, (mnt) => {
    const runsDir = path.join(mnt, 'runs');
    fs.cpSync(trained, runsDir, { recursive: true });
    fs.rmSync(path.join(runsDir, id, 'eval'), { recursive: true });
    fill(mnt);
    const cases: [number, string[]][] = [
      [62, ['eval', id, '--runs-dir', runsDir]],
      [63, ['decompose', id, '--runs-dir', runsDir]],
      [64, ['eval', id, '--runs-dir', runsDir, '--set', `data.path=${csv}`]],
    ];
    fs.writeFileSync(csv, 'x\n');
    for (const [n, args] of cases) {
      const r = runCli(args);
      if (n === 64) oneLine(n, r, /^dmil: /);
      else oneLine(n, r, /no space left on the device \(ENOSPC\)/);
      assert.ok(!fs.existsSync(path.join(runsDir, id, 'lock')), `case ${n}: no lock left`);
      const again = runCli(args);
      assert.doesNotMatch(again.stderr, /being locked|in use/, `case ${n}: the next command is not blocked`);
    }
    const sweep = runCli(['sweep', cfg, '--axis', 'seed=7,8', '--runs-dir', runsDir]);
    oneLine(65, sweep, /no space left on the device \(ENOSPC\)/);
    assert.ok(!fs.existsSync(path.join(runsDir, 'sweeps')), 'case 65: no sweep folder left');
    assert.deepEqual(hidden(runsDir), [], 'case 65: no temporary folder left');
  });
});

test('cases 91, 92 and a new user\'s ask: on a read-only runs folder, report and runs rm say so (nothing deleted); eval and decompose --out work', (t) => {
  const why = unavailable();
  if (why) return t.skip(why);
  const dir = tmpDir('ro');
  const cfg = writeConfig(dir, tinyConfig({ train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } } }));
  const trained = path.join(dir, 'runs');
  const a = lastLine(runCli(['train', cfg, '--runs-dir', trained, '-q']).stdout);
  const b = lastLine(runCli(['train', cfg, '--runs-dir', trained, '-q', '--set', 'seed=2']).stdout);
  withTmpfs(4096, (mnt) => {
    const runsDir = path.join(mnt, 'runs');
    fs.cpSync(trained, runsDir, { recursive: true });
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
    const before = fs.readdirSync(runsDir).sort();
    oneLine(91, runCli(['report', a, b, '--runs-dir', runsDir]), /the file system is read-only \(EROFS\)/);
    oneLine(92, runCli(['runs', 'rm', a, '--runs-dir', runsDir]), /the file system is read-only \(EROFS\)/);
    assert.deepEqual(fs.readdirSync(runsDir).sort(), before, 'case 92: nothing deleted');
    const ev = runCli(['eval', a, '--runs-dir', runsDir]);
    assert.equal(ev.status, 0, ev.stderr);
    assert.match(ev.stderr, /the run folder is read-only: the results are shown, not saved/);
    const out = path.join(dir, 'scores.csv');
    const dec = runCli(['decompose', a, '--runs-dir', runsDir, '--out', out]);
    assert.equal(dec.status, 0, dec.stderr);
    assert.ok(fs.readFileSync(out, 'utf8').split('\n').length > 10);
    oneLine(0, runCli(['decompose', a, '--runs-dir', runsDir]), /the run folder is read-only \(decompose writes into the run unless --out names a file elsewhere\)/);
  });
});
