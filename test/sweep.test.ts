// dmil sweep: a table of runs over seeds and settings, on a local job pool (resumable) and on a
// real one-node Slurm cluster (Debian's slurm-wlm and munge, started here and stopped after).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dmilBin, lastLine, runCli, tinyConfig, tmpDir, writeConfig } from './helpers';
import { runResult } from './faults/harness';

const axes = ['--axis', 'seed=1,2', '--axis', 'model.paradigm=joint,ensemble'];

function statusRows(id: string, runsDir: string, env: NodeJS.ProcessEnv = process.env): string[][] {
  const r = spawnSync(process.execPath, [dmilBin, 'sweep', 'status', id, '--runs-dir', runsDir], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));
}

test('a local sweep trains every cell; the same command again retrains nothing; compare reads the sweep', () => {
  const dir = tmpDir('sweep-local');
  const runsDir = path.join(dir, 'runs');
  const cfg = writeConfig(dir, tinyConfig());
  const first = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(first.status, 0, first.stderr);
  const id = lastLine(first.stdout);
  assert.match(first.stderr, /sweep .*: 4 of 4 cells done, 0 failed/);
  const rows = statusRows(id, runsDir);
  assert.deepEqual(rows.map((r) => [r[1], r[2], r[4]]), [['seed=1 model.paradigm=joint', 'done', '1'], ['seed=1 model.paradigm=ensemble', 'done', '1'], ['seed=2 model.paradigm=joint', 'done', '1'], ['seed=2 model.paradigm=ensemble', 'done', '1']]);
  const again = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(lastLine(again.stdout), id, 'the same command finds the same sweep');
  assert.deepEqual(statusRows(id, runsDir), rows, 'nothing retrained');
  assert.equal(fs.readdirSync(runsDir).filter((d) => d !== 'sweeps').length, 4);
  const cmp = runCli(['compare', id, '--runs-dir', runsDir, '--baseline', 'model.paradigm=joint']);
  assert.equal(cmp.status, 0, cmp.stderr);
  assert.match(cmp.stdout, /model\.paradigm=joint +2 /);
  assert.match(cmp.stdout, /paired differences against "model\.paradigm=joint"/);
});

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

/** A one-node Slurm cluster on its own ports; null (with the reason) where it cannot start. */
function startSlurm(dir: string): { env: NodeJS.ProcessEnv; stop: () => void } | string {
  if (process.getuid?.() !== 0) return 'not root: slurmd and munged need root here';
  for (const bin of ['munged', 'slurmctld', 'slurmd', 'sbatch']) if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed (apt-get install slurm-wlm munge)`;
  const host = os.hostname();
  for (const d of ['state', 'spool', 'log']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(conf, [
    'ClusterName=dmiltest', `SlurmctldHost=${host}`, 'SlurmctldPort=16817', 'SlurmdPort=16818', 'AuthType=auth/munge',
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'SelectType=select/cons_tres', 'SelectTypeParameters=CR_CPU',
    `StateSaveLocation=${dir}/state`, `SlurmdSpoolDir=${dir}/spool`, `SlurmctldPidFile=${dir}/slurmctld.pid`, `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`, `SlurmdLogFile=${dir}/log/slurmd.log`, 'SlurmUser=root', 'ReturnToService=2',
    'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none', 'MpiDefault=none',
    `NodeName=${host} CPUs=${os.cpus().length} RealMemory=2000 State=UNKNOWN`, `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`, '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const pids: number[] = [];
  if (!fs.existsSync('/run/munge/munge.socket.2')) {
    fs.mkdirSync('/run/munge', { recursive: true });
    spawnSync('chown', ['munge:munge', '/run/munge']);
    if (spawnSync('munged', ['--force']).status !== 0) return 'munged would not start';
    const pid = Number(fs.readFileSync('/run/munge/munged.pid', 'utf8'));
    if (pid) pids.push(pid);
  }
  for (const daemon of ['slurmctld', 'slurmd']) {
    const r = spawnSync(daemon, [], { env });
    if (r.status !== 0) return `${daemon} would not start: ${String(r.stderr).trim()}`;
  }
  for (const f of ['slurmctld.pid', 'slurmd.pid']) {
    for (let i = 0; i < 50 && !fs.existsSync(path.join(dir, f)); i++) spawnSync('sleep', ['0.1']);
    if (fs.existsSync(path.join(dir, f))) pids.push(Number(fs.readFileSync(path.join(dir, f), 'utf8')));
  }
  for (let i = 0; i < 100; i++) {
    if (/idle/.test(spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout)) break;
    spawnSync('sleep', ['0.2']);
  }
  return { env, stop: () => pids.reverse().forEach((p) => { try { process.kill(p, 'SIGTERM'); } catch { /* already gone */ } }) };
}

test('the same 2x2 sweep through a real Slurm cluster gives identical metrics per cell to the local one', async (t) => {
  const dir = tmpDir('sweep-slurm');
  const slurm = startSlurm(path.join(dir, 'slurm'));
  if (typeof slurm === 'string') {
    t.skip(`no Slurm here: ${slurm}`);
    return;
  }
  try {
    const cfg = writeConfig(dir, tinyConfig());
    const local = runCli(['sweep', cfg, ...axes, '--jobs', '2', '--runs-dir', path.join(dir, 'local')]);
    assert.equal(local.status, 0, local.stderr);
    const runsDir = path.join(dir, 'shared');
    const sub = spawnSync(process.execPath, [dmilBin, 'sweep', cfg, ...axes, '--executor', 'slurm', '--runs-dir', runsDir], { encoding: 'utf8', env: slurm.env });
    assert.equal(sub.status, 0, sub.stderr);
    assert.match(sub.stderr, /submitted Slurm job array \d+ \(4 cells\): .*sbatch-\d+\.sh/);
    const id = lastLine(sub.stdout);
    const script = fs.readFileSync(sub.stderr.match(/: (\S+sbatch-\d+\.sh)/)![1], 'utf8');
    assert.match(script, /#SBATCH --array=0-3\n/);
    let rows: string[][] = [];
    for (let i = 0; i < 600; i++) {
      rows = statusRows(id, runsDir, slurm.env);
      if (rows.every((r) => r[2] === 'done')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(rows.every((r) => r[2] === 'done'), `every cell done through Slurm: ${JSON.stringify(rows)}`);
    const localRows = statusRows(lastLine(local.stdout), path.join(dir, 'local'));
    for (const r of rows) {
      const twin = localRows.find((l) => l[1] === r[1])!;
      assert.deepEqual(runResult(path.join(runsDir, r[3])), runResult(path.join(dir, 'local', twin[3])), `cell ${r[1]}: identical metrics`);
    }
  } finally {
    slurm.stop();
  }
});

test('a sweep file: axes and named variants crossed, --set over the base, errors at file:line; dmil runs shows each run\'s cell and filters, sorts and removes', () => {
  const dir = tmpDir('sweep-file');
  const runsDir = path.join(dir, 'runs');
  writeConfig(dir, tinyConfig());
  const file = path.join(dir, 'ablation.yaml');
  fs.writeFileSync(file, 'config: config.yaml\naxes:\n  seed: [1, 2]\nvariants:\n  base: []\n  wide: ["model.backbone.hidden=[32]"]\nretries: 0\n');
  const r = runCli(['sweep', file, '--set', 'train.epochs=2', '--jobs', '2', '--runs-dir', runsDir]);
  assert.equal(r.status, 0, r.stderr);
  const id = lastLine(r.stdout);
  const rows = statusRows(id, runsDir);
  assert.deepEqual(rows.map((x) => x[1]), ['seed=1 base', 'seed=1 wide', 'seed=2 base', 'seed=2 wide']);
  const listed = JSON.parse(runCli(['runs', '--runs-dir', runsDir, '--json', '--filter', 'overrides=wide', '--sort', 'seed']).stdout);
  assert.deepEqual(listed.map((x: { overrides: string; sweep: string }) => [x.overrides, x.sweep]), [['seed=2 wide', id], ['seed=1 wide', id]]);
  assert.ok(listed.every((x: { best_epochs: Record<string, number> }) => typeof x.best_epochs.train === 'number'));
  const csv = runCli(['compare', id, '--runs-dir', runsDir, '--csv']).stdout.trim().split('\n');
  assert.equal(csv.length, 3, 'a header and one row per setting');
  assert.match(csv[0], /^setting,seeds,accuracy_mean,accuracy_std,/);
  // A run a live process holds is never removed.
  const held = path.join(runsDir, listed[1].id, 'lock');
  fs.writeFileSync(held, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), command: 'dmil train' }));
  const refused = runCli(['runs', 'rm', listed[1].id, '--runs-dir', runsDir]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, new RegExp(`^dmil: ${listed[1].id}: run is in use by process ${process.pid} on .+ \\(dmil train\\) \\(stop it first; a run being trained is never removed\\)`));
  assert.ok(fs.existsSync(path.join(runsDir, listed[1].id, 'meta.json')));
  fs.rmSync(held);
  const gone = runCli(['runs', 'rm', listed[0].id, '--runs-dir', runsDir]);
  assert.equal(gone.status, 0, gone.stderr);
  assert.ok(!fs.existsSync(path.join(runsDir, listed[0].id)));

  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, 'config: config.yaml\naxes:\n  seed: [1, 2]\nretry: 3\n');
  const e = runCli(['sweep', bad, '--runs-dir', runsDir]);
  assert.equal(e.status, 2);
  assert.match(e.stderr, /^dmil: .*bad\.yaml:4:1: retry: unknown key "retry"/);
  const badCell = runCli(['sweep', path.join(dir, 'config.yaml'), '--axis', 'train.epochs=2,zero', '--runs-dir', runsDir]);
  assert.equal(badCell.status, 2);
  assert.match(badCell.stderr, /^dmil: cell 1 \(train\.epochs=zero\): --set train\.epochs=zero: train\.epochs: expected a number, got "zero" \(every cell must be a valid config\)\n$/);
});
