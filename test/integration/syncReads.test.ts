// Every command on a backend that refuses synchronous reads (test/support/refuseSyncReads.ts: the
// cpu backend, throwing on dataSync/arraySync/bufferSync as WebGPU does under Node), with the same
// results as on the cpu backend itself: training of every paradigm and every DMIL stage, a
// resumed run, eval, decompose, report, pid (both estimators, per-sample scores) and a sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REFUSAL } from '../support/refuseSyncReads';
import { everyParadigm, lastLine, repoRoot, tinyConfig, tmpDir, writeConfig } from '../helpers';
import { pool, runCliAsync, runFolders, runResult, type Proc } from '../faults/harness';

const preload = path.join(repoRoot, 'dist', 'test', 'support', 'refuseSyncReads.js');
const refusing = { NODE_OPTIONS: `--require=${preload}` };
// scripts/gpu-check.sh sets this to webgpu: the commands then run on the GPU backend itself (whose
// synchronous reads fail under Node), and results are compared with cpu's as diagnostics only,
// since a GPU rounds differently (the parity table of scripts/gpuCheck.ts measures by how much).
const gpu = process.env.DMIL_SYNC_READS_BACKEND;

/** `dmil ARGS` on the refusing backend (or the GPU one) or on cpu itself; a refused read fails the test. */
async function dmil(args: string[], onRefusing: boolean, env: Record<string, string> = {}): Promise<Proc> {
  const backend = onRefusing && gpu ? gpu : 'cpu';
  const r = await runCliAsync([...args, '--backend', backend], { ...(onRefusing && !gpu ? refusing : {}), ...env });
  assert.ok(!r.stderr.includes(REFUSAL) && !r.stdout.includes(REFUSAL), `dmil ${args[0]} read the device synchronously:\n${r.stderr}`);
  return r;
}

/** Equal on the refusing backend; on a GPU, reported. */
function same(t: { diagnostic(m: string): void }, actual: unknown, expected: unknown, what: string): void {
  if (!gpu) return assert.deepEqual(actual, expected, what);
  let equal = true;
  try {
    assert.deepEqual(actual, expected);
  } catch {
    equal = false;
  }
  t.diagnostic(`${what}: ${equal ? 'identical' : 'differs'} on ${gpu}`);
}

const PARADIGMS = everyParadigm('a');

test('the refusing backend refuses: dataSync throws, await data() reads', async () => {
  const script = `require(${JSON.stringify(preload)}); const tf = require('@tensorflow/tfjs-core');
    tf.setBackend('cpu').then(async () => { const t = tf.add(tf.tensor([1, 2]), 1); const v = Array.from(await t.data());
      let refused = false; try { t.dataSync(); } catch (e) { refused = String(e.message).includes(${JSON.stringify(REFUSAL)}); }
      process.stdout.write(JSON.stringify({ v, refused })); });`;
  const { execFileSync } = await import('node:child_process');
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' }));
  assert.deepEqual(out, { v: [2, 3], refused: true });
});

test('every paradigm and every DMIL stage trains on the refusing backend with the metrics, evaluations and stages of cpu', async (t) => {
  const dir = tmpDir('syncreads-train');
  await pool(PARADIGMS.map((model) => async () => {
    const cfg = writeConfig(dir, tinyConfig({ model: { ...model, backbone: { hidden: [16], out: 8 } }, train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } } }), `${model.paradigm}.yaml`);
    const results = [];
    for (const onRefusing of [true, false]) {
      const runs = path.join(dir, `${model.paradigm}-${onRefusing ? 'refusing' : 'cpu'}`);
      const r = await dmil(['train', cfg, '--runs-dir', runs, '-q'], onRefusing);
      assert.equal(r.status, 0, `${model.paradigm}: ${r.stderr}`);
      results.push(runResult(path.join(runs, lastLine(r.stdout))));
    }
    same(t, results[0], results[1], `${model.paradigm}: the same run on both backends`);
    if (model.paradigm === 'dmil') assert.deepEqual(results[0].stages, ['decompose-intra', 'decompose-cross', 'finetune']);
  }), 2);
});

test('a DMIL run killed mid-training resumes on the refusing backend to the uninterrupted run\'s result', async (t) => {
  const dir = tmpDir('syncreads-resume');
  const cfg = writeConfig(dir, tinyConfig({ model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 } }, train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 }, checkpoint_seconds: 0 } }));
  const ref = await dmil(['train', cfg, '--runs-dir', path.join(dir, 'ref'), '-q'], true, { DMIL_FAULT_COUNT: '1' });
  assert.equal(ref.status, 0, ref.stderr);
  const points = (ref.stderr.match(/dmil-fault: write point \d+/g) ?? []).length;
  const runs = path.join(dir, 'killed');
  const killed = await dmil(['train', cfg, '--runs-dir', runs, '-q'], true, { DMIL_FAULT_KILL_AT: String(Math.ceil(points / 2)) });
  assert.equal(killed.signal, 'SIGKILL', killed.stderr);
  const [id] = runFolders(runs);
  const resumed = await dmil(['train', '--resume', id, '--runs-dir', runs, '-q'], true);
  assert.equal(resumed.status, 0, resumed.stderr);
  same(t, runResult(path.join(runs, id)), runResult(path.join(dir, 'ref', lastLine(ref.stdout))), 'the resumed run against the uninterrupted one');
});

test('eval, decompose, report, pid (exact, batch, pointwise) and a sweep run on the refusing backend; their outputs equal cpu\'s', async (t) => {
  const dir = tmpDir('syncreads-commands');
  const cfg = writeConfig(dir, tinyConfig({ data: { ...(tinyConfig().data as object), samples: 600 }, model: { paradigm: 'dmil', backbone: { hidden: [16], out: 8 } }, train: { epochs: 2, batch_size: 32, early_stop: { patience: 0 } }, pid: { bootstrap: 10, batch: { epochs: 2 } } }));
  const runs = path.join(dir, 'runs');
  const trained = await dmil(['train', cfg, '--runs-dir', runs, '-q'], false);
  assert.equal(trained.status, 0, trained.stderr);
  const id = lastLine(trained.stdout);
  const outputs: Record<string, string>[] = [];
  for (const onRefusing of [true, false]) {
    const tag = onRefusing ? 'refusing' : 'cpu';
    const out: Record<string, string> = {};
    const evalRun = await dmil(['eval', id, '--runs-dir', runs, '--json'], onRefusing);
    assert.equal(evalRun.status, 0, evalRun.stderr);
    out.eval = evalRun.stdout;
    const decompose = await dmil(['decompose', id, '--runs-dir', runs, '--out', path.join(dir, `decompose-${tag}.csv`)], onRefusing);
    assert.equal(decompose.status, 0, decompose.stderr);
    out.decompose = fs.readFileSync(path.join(dir, `decompose-${tag}.csv`), 'utf8');
    const report = await dmil(['report', id, '--runs-dir', runs, '--out', path.join(dir, `report-${tag}.html`)], onRefusing);
    assert.equal(report.status, 0, report.stderr);
    assert.ok(fs.statSync(path.join(dir, `report-${tag}.html`)).size > 10_000, 'a report was written');
    const pid = await dmil(['pid', id, '--runs-dir', runs, '--estimator', 'both', '--json', '-q', '--pointwise', path.join(dir, `pointwise-${tag}.csv`)], onRefusing);
    assert.equal(pid.status, 0, pid.stderr);
    out.pid = pid.stdout;
    out.pointwise = fs.readFileSync(path.join(dir, `pointwise-${tag}.csv`), 'utf8');
    outputs.push(out);
  }
  for (const k of Object.keys(outputs[0])) same(t, outputs[0][k], outputs[1][k], `${k}: the same output on both backends`);
  assert.ok(JSON.parse(outputs[0].pid).batch, 'the batch estimator ran');

  // A sweep: its cells run as child processes, which inherit the refusing backend (NODE_OPTIONS).
  const sweep = await dmil(['sweep', cfg, '--axis', 'model.paradigm=joint,dmil', '--runs-dir', path.join(dir, 'sweep-runs'), '--jobs', '1', '-q'], true);
  assert.equal(sweep.status, 0, sweep.stderr);
  const cells = runFolders(path.join(dir, 'sweep-runs')).filter((d) => !d.startsWith('sweep'));
  assert.ok(cells.length >= 2, `two cells trained (${cells.join(', ')})`);
});
