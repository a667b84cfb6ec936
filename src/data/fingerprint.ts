// What a run's data was, so that a later command can tell whether it still is: the size and
// SHA-256 of every input file the config names, and a SHA-256 of the samples as loaded (labels,
// ids and raw feature values), which also pins data generated from a seed.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isPathKey, type DataConfig } from '../config/dataSchema';
import type { Dataset } from './dataset';

export interface FileFingerprint {
  /** The config key that names the file, e.g. data.path or data.modalities.0.path. */
  key: string;
  path: string;
  size: number;
  sha256: string;
}

export interface DataFingerprint {
  files: FileFingerprint[];
  /** SHA-256 of the loaded samples. */
  content: string;
}

export function fileSha256(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every file the data config names, in key order, de-duplicated by path. */
export function inputFiles(data: DataConfig): { key: string; path: string }[] {
  const out: { key: string; path: string }[] = [];
  const visit = (node: unknown, at: (string | number)[]): void => {
    if (typeof node === 'string') {
      if (isPathKey(at, data.source, node) && !out.some((f) => f.path === node)) out.push({ key: at.join('.'), path: node });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) visit(v, [...at, Array.isArray(node) ? Number(k) : k]);
  };
  visit(data, ['data']);
  return out;
}

export function fingerprintFiles(data: DataConfig): FileFingerprint[] {
  return inputFiles(data).map((f) => ({ ...f, size: fs.statSync(f.path).size, sha256: fileSha256(f.path) }));
}

export function contentSha256(d: Dataset): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ classes: d.classNames, shapes: d.modalities.map((m) => [m.name, m.shape]) }));
  hash.update(Buffer.from(d.labels.buffer, d.labels.byteOffset, d.labels.byteLength));
  hash.update(d.ids.join('\n'));
  for (const m of d.modalities) hash.update(Buffer.from(m.values.buffer, m.values.byteOffset, m.values.byteLength));
  return hash.digest('hex');
}

export function fingerprintData(config: DataConfig, d: Dataset): DataFingerprint {
  return { files: fingerprintFiles(config), content: contentSha256(d) };
}

/** How a file differs from its fingerprint, or undefined if it does not. */
export function fileChange(f: FileFingerprint): string | undefined {
  if (!fs.existsSync(f.path)) return 'is gone';
  const size = fs.statSync(f.path).size;
  if (size !== f.size) return `changed size since the run was trained (${f.size} -> ${size} bytes)`;
  return fileSha256(f.path) === f.sha256 ? undefined : 'changed content since the run was trained (same size, different SHA-256)';
}
