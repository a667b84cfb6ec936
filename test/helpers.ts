// Shared test helpers: temporary folders, tiny configs, and running the real CLI.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const dmilBin = path.join(repoRoot, 'bin', 'dmil');

export function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dmil-${label}-`));
}

/** A config that trains in about a second. */
export function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: 'tiny',
    seed: 1,
    data: {
      source: 'synthetic', samples: 240, classes: 3, mix: { R: 1, U1: 1, U2: 1, S: 1 },
      modalities: [{ name: 'a', dim: 6, noise: 0.3 }, { name: 'b', dim: 5, noise: 0.3 }],
    },
    model: { paradigm: 'joint', backbone: { hidden: [16], out: 8 } },
    train: { epochs: 3, batch_size: 32, early_stop: { patience: 0 } },
  };
  return { ...base, ...overrides };
}

/**
 * One model section per paradigm (unimodal on `unimodal`), for the tests that must cover every
 * paradigm (leaks, the refusing backend): a new paradigm is added here once.
 */
export function everyParadigm(unimodal: string): { paradigm: string; modality?: string; backbone?: { type: string; units: number; out: number } }[] {
  return [{ paradigm: 'unimodal', modality: unimodal }, { paradigm: 'joint' }, { paradigm: 'ensemble' }, { paradigm: 'late-fusion' }, { paradigm: 'i2m2' }, { paradigm: 'ogm-ge' }, { paradigm: 'qmf' }, { paradigm: 'pmr' }, { paradigm: 'mla' }, { paradigm: 'i2moe' }, { paradigm: 'dmil' }];
}

export function writeConfig(dir: string, config: unknown, file = 'config.yaml'): string {
  const p = path.join(dir, file);
  fs.writeFileSync(p, typeof config === 'string' ? config : stringify(config));
  return p;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [dmilBin, ...args], { cwd: opts.cwd ?? repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const lastLine = (s: string): string => s.trimEnd().split('\n').pop() ?? '';

export const fixture = (name: string): string => path.join(repoRoot, 'test', 'fixtures', name);

/** Writes a float32 or int32 .npy file (format 1.0), for tests that need larger arrays than the fixtures. */
export { writeNpy } from '../src/data/npyWrite';

/** An unsigned-byte IDX file of the given shape. */
export function writeIdx(file: string, shape: number[], data: Uint8Array): void {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = 0x08;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(data)]));
}

/** The rows of `dmil sweep status ID` (cell, setting, status, ...), split on runs of spaces. */
export function sweepStatusRows(id: string, runsDir: string, env: NodeJS.ProcessEnv = process.env): string[][] {
  const r = spawnSync(process.execPath, [dmilBin, 'sweep', 'status', id, '--runs-dir', runsDir], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').slice(2).map((l) => l.trim().split(/\s{2,}/));
}
