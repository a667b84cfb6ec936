// dmil sweep on a real one-node Slurm cluster (Debian's slurm-wlm and munge, started here as
// root and stopped after): the same cells as the local executor, identical metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dmilBin, lastLine, runCli, tinyConfig, tmpDir, writeConfig } from '../helpers';
import { runResult } from '../faults/harness';

const axes = ['--axis', 'seed=1,2', '--axis', 'model.paradigm=joint,ensemble'];

function statusRows(id: string, runsDir: string, env: NodeJS.ProcessEnv = process.env): string[][] {
  const r = spawnSync(process.execPath, [dmilBin, 'sweep', 'status', id, '--runs-dir', runsDir], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));
}

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
