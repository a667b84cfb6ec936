// Reading HDF5 datasets through h5wasm (the HDF5 library compiled to WebAssembly; ESM-only, so it
// is imported on first use). Only the datasets a config names are read, a block of rows at a
// time, so the WebAssembly heap holds one block while the float32 result fills.
import { UserError } from '../errors';
import { requireFile } from './files';
import * as fs from 'node:fs';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } }).default;
type H5File = InstanceType<H5['File']>;
type H5Dataset = InstanceType<H5['Dataset']>;

let loading: Promise<H5> | undefined;
async function h5wasm(): Promise<H5> {
  loading ??= import('h5wasm/node').then(async ({ default: h5 }) => {
    const module = await h5.ready;
    // HDF5's errors become exceptions instead of a diagnostic stack on stderr.
    module.activate_throwing_error_handler();
    return h5;
  });
  return loading;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether the file starts with HDF5's signature (at 0, or after a user block of 512 x 2^k bytes). */
function hasSignature(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8);
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      fs.readSync(fd, buf, 0, 8, at);
      if (buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** HDF5's own reason: the innermost entry of its error stack ("truncated file: eof = ..."). */
function firstLine(e: unknown): string {
  const lines = String((e as Error)?.message ?? e).split('\n');
  const reasons = lines.map((l) => l.match(/^\s*#\d+:.*?\(\): (.*)$/)?.[1]).filter((r): r is string => !!r);
  return reasons.pop() ?? lines[0].trim();
}

/** Bytes of rows read per block. */
const BLOCK_BYTES = 64 * 2 ** 20;

export interface Hdf5Array {
  path: string;
  shape: number[];
  /** Numbers or strings. */
  text: boolean;
  /** Rows [start, end) as numbers (float32 into `out` from `offset`) */
  writeRows(start: number, end: number, out: Float32Array, offset: number): void;
  /** Rows [start, end) as numbers (labels, splits) or strings (ids). */
  rows(start: number, end: number): number[] | string[];
}

export class Hdf5Reader {
  private constructor(readonly file: string, private readonly h5: H5File) {}

  static async open(file: string): Promise<Hdf5Reader> {
    requireFile(file, 'HDF5 file');
    if (!hasSignature(file)) throw new UserError('not an HDF5 file (no HDF5 signature)', { where: file, hint: 'name the .h5/.hdf5 file; download it again if it is damaged' });
    const h5 = await h5wasm();
    try {
      return new Hdf5Reader(file, new h5.File(file, 'r'));
    } catch (e) {
      throw new UserError(`cannot open the HDF5 file (${firstLine(e)})`, { where: file, hint: 'the file is truncated or damaged; download it again' });
    }
  }

  /** Every dataset path in the file (for messages), up to `limit`. */
  private datasetPaths(limit = 20): string[] {
    const out: string[] = [];
    const walk = (group: { keys(): string[]; get(name: string): unknown }, prefix: string) => {
      for (const key of group.keys()) {
        if (out.length >= limit) return;
        const child = group.get(key) as { type?: string; keys?: () => string[] } | null;
        if (child?.type === 'Dataset') out.push(`${prefix}${key}`);
        else if (child?.type === 'Group') walk(child as never, `${prefix}${key}/`);
      }
    };
    walk(this.h5, '');
    return out;
  }

  dataset(path: string, key: string): Hdf5Array {
    let d: unknown;
    try {
      d = this.h5.get(path);
    } catch {
      d = null;
    }
    if (!d || (d as { type?: string }).type !== 'Dataset') {
      throw new UserError(`no dataset "${path}" (${key})`, { where: this.file, hint: `datasets there: ${this.datasetPaths().join(', ') || 'none'}` });
    }
    const ds = d as H5Dataset;
    const meta = ds.metadata as { type: number; shape: number[] | null; size: number };
    const shape = (meta.shape ?? []).map(Number);
    const text = meta.type === 3;
    if (meta.type !== 0 && meta.type !== 1 && !text) {
      throw new UserError(`dataset "${path}" holds neither numbers nor strings (HDF5 class ${meta.type})`, { where: this.file, hint: 'features and labels are integer or float datasets; ids are strings' });
    }
    const read = (start: number, end: number): unknown => {
      try {
        return ds.slice([[start, end]]);
      } catch (e) {
        throw new UserError(`cannot read rows ${start}-${end} of dataset "${path}" (${firstLine(e)})`, { where: this.file, hint: 'the file is truncated or damaged; download it again' });
      }
    };
    const rowItems = shape.slice(1).reduce((a, b) => a * b, 1);
    return {
      path, shape, text,
      writeRows: (start, end, out, offset) => {
        if (text) throw new UserError(`dataset "${path}" holds strings; features must be numbers`, { where: this.file });
        const block = Math.max(1, Math.floor(BLOCK_BYTES / Math.max(1, rowItems * meta.size)));
        for (let r = start; r < end; r += block) {
          const part = read(r, Math.min(end, r + block)) as ArrayLike<number | bigint>;
          const at = offset + (r - start) * rowItems;
          if (part instanceof BigInt64Array || part instanceof BigUint64Array) for (let i = 0; i < part.length; i++) out[at + i] = Number(part[i]);
          else out.set(part as ArrayLike<number>, at);
        }
      },
      rows: (start, end) => {
        const part = read(start, end) as ArrayLike<unknown>;
        return Array.from(part, (v) => (typeof v === 'bigint' ? Number(v) : v)) as number[] | string[];
      },
    };
  }

  close(): void {
    this.h5.close();
  }
}
