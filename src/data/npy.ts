// Reading NumPy .npy files (format versions 1-3): little-endian float, integer and bool arrays,
// and unicode strings (for labels), in C order. Anything else is refused with the reason.
import * as fs from 'node:fs';
import { UserError } from '../errors';
import { requireFile } from './files';

export interface NpyArray {
  shape: number[];
  descr: string;
  /** Numeric data as float32 (numeric dtypes), or strings (unicode dtypes). */
  values: Float32Array | string[];
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

function field(header: string, name: string): string | undefined {
  return header.match(new RegExp(`['"]${name}['"]\\s*:\\s*([^,}]*(\\([^)]*\\))?)`))?.[1]?.trim();
}

export function parseNpy(buf: Buffer, file: string): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new UserError('not a .npy file (no \\x93NUMPY magic)', { where: file, hint: 'write it with numpy.save' });
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (buf.length < start + headerLen) throw new UserError('truncated .npy header', { where: file });
  const header = buf.subarray(start, start + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = field(header, 'descr')?.replace(/['"]/g, '');
  const fortran = field(header, 'fortran_order');
  const shapeText = header.match(/['"]shape['"]\s*:\s*\(([^)]*)\)/)?.[1];
  if (!descr || fortran === undefined || shapeText === undefined) throw new UserError('unreadable .npy header', { where: file, hint: header.trim().slice(0, 80) });
  if (fortran.startsWith('True')) throw new UserError('array is in Fortran order', { where: file, hint: 'save a C-ordered copy: numpy.save(path, numpy.ascontiguousarray(a))' });
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(start + headerLen);

  const unicode = descr.match(/^[<|]U(\d+)$/);
  if (unicode) {
    const width = Number(unicode[1]);
    if (body.length < count * width * 4) throw new UserError(`truncated data: ${body.length} bytes for ${count} strings`, { where: file });
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      let s = '';
      for (let k = 0; k < width; k++) {
        const cp = body.readUInt32LE((i * width + k) * 4);
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
      values.push(s);
    }
    return { shape, descr, values };
  }

  const kinds: Record<string, [number, (b: Buffer, o: number) => number]> = {
    '<f4': [4, (b, o) => b.readFloatLE(o)], '<f8': [8, (b, o) => b.readDoubleLE(o)],
    '|i1': [1, (b, o) => b.readInt8(o)], '<i2': [2, (b, o) => b.readInt16LE(o)], '<i4': [4, (b, o) => b.readInt32LE(o)], '<i8': [8, (b, o) => Number(b.readBigInt64LE(o))],
    '|u1': [1, (b, o) => b.readUInt8(o)], '<u2': [2, (b, o) => b.readUInt16LE(o)], '<u4': [4, (b, o) => b.readUInt32LE(o)], '<u8': [8, (b, o) => Number(b.readBigUInt64LE(o))],
    '|b1': [1, (b, o) => b.readUInt8(o)],
  };
  const kind = kinds[descr];
  if (!kind) {
    throw new UserError(`unsupported dtype "${descr}"`, { where: file, hint: 'use float32, float64 or a little-endian integer type, e.g. a.astype(numpy.float32)' });
  }
  const [size, read] = kind;
  if (body.length < count * size) throw new UserError(`truncated data: ${body.length} bytes, shape (${shape.join(', ')}) needs ${count * size}`, { where: file });
  if (body.length > count * size) throw new UserError(`${body.length - count * size} bytes after the data its header declares (shape (${shape.join(', ')}), ${descr})`, { where: file, hint: 'the file is damaged or not what numpy.save wrote; write it again' });
  let values: Float32Array;
  if (descr === '<f4' && body.byteOffset % 4 === 0) values = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + count * 4));
  else {
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = read(body, i * size);
  }
  return { shape, descr, values };
}

export function readNpy(file: string): NpyArray {
  requireFile(file, 'file', 'relative paths resolve against the config file');
  return parseNpy(fs.readFileSync(file), file);
}
