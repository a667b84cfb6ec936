// numpy arrays as a pickle holds them: a dtype, a shape and the raw bytes (numbers, fixed-width
// str/bytes), or a list of Python values (object arrays: MultiBench's ids). Conversions to what a
// dataset needs: float32 features written straight into a caller's buffer (no copy of the whole
// array in between), numbers for labels, strings for ids.
import { UserError } from '../errors';

export type DtypeKind = 'float' | 'int' | 'uint' | 'bool' | 'unicode' | 'bytes' | 'object';
export interface Dtype {
  kind: DtypeKind;
  /** Bytes per item. */
  size: number;
  little: boolean;
  /** numpy's name, for messages: float32, <U12, object, ... */
  name: string;
}

interface Base {
  shape: number[];
  dtype: Dtype;
}
export type NdArray = (Base & { bytes: Uint8Array }) | (Base & { strings: string[] }) | (Base & { items: unknown[] });

const NUMERIC: Record<string, [DtypeKind, number]> = {
  f2: ['float', 2], f4: ['float', 4], f8: ['float', 8],
  i1: ['int', 1], i2: ['int', 2], i4: ['int', 4], i8: ['int', 8],
  u1: ['uint', 1], u2: ['uint', 2], u4: ['uint', 4], u8: ['uint', 8], b1: ['bool', 1],
};

/** The dtype numpy.dtype(code) with byte order `order` ('<', '>', '|', '=') describes. */
export function dtypeOf(code: string, order: string, itemsize?: number): Dtype {
  const little = order !== '>';
  const numeric = NUMERIC[code];
  if (numeric) return { kind: numeric[0], size: numeric[1], little, name: code };
  const text = code.match(/^([US])(\d+)$/);
  if (text) {
    const kind = text[1] === 'U' ? 'unicode' : 'bytes';
    return { kind, size: itemsize ?? Number(text[2]) * (kind === 'unicode' ? 4 : 1), little, name: code };
  }
  if (code === 'O8' || code === 'O4') return { kind: 'object', size: 8, little, name: 'object' };
  throw new UserError(`numpy dtype "${code}" is not supported`, { hint: 'use float16/32/64, integer, bool, str or bytes arrays' });
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An array over `bytes` (not copied), checked against its shape. */
export function arrayFromBuffer(bytes: Uint8Array, dtype: Dtype, shape: number[]): NdArray {
  const need = count(shape) * dtype.size;
  if (bytes.length !== need) {
    throw new UserError(`an array of shape (${shape.join(', ')}) and dtype ${dtype.name} needs ${need} bytes, the pickle holds ${bytes.length}`, { hint: 'the file is damaged; download it again' });
  }
  if (dtype.kind === 'unicode' || dtype.kind === 'bytes') return { shape, dtype, strings: decodeStrings(bytes, dtype) };
  return { shape, dtype, bytes };
}

function decodeStrings(bytes: Uint8Array, d: Dtype): string[] {
  const n = bytes.length / d.size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: n }, (_, i) => {
    const at = i * d.size;
    if (d.kind === 'bytes') {
      let end = at + d.size;
      while (end > at && bytes[end - 1] === 0) end--;
      return Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('utf8');
    }
    let s = '';
    for (let k = 0; k < d.size; k += 4) {
      const cp = view.getUint32(at + k, d.little);
      if (cp === 0) break;
      s += String.fromCodePoint(cp);
    }
    return s;
  });
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** A reader of item i of a numeric array. */
function itemReader(a: Base & { bytes: Uint8Array }): (i: number) => number {
  const v = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  const { kind, size, little } = a.dtype;
  const readers: Record<string, (o: number) => number> = {
    float2: (o) => half(v.getUint16(o, little)), float4: (o) => v.getFloat32(o, little), float8: (o) => v.getFloat64(o, little),
    int1: (o) => v.getInt8(o), int2: (o) => v.getInt16(o, little), int4: (o) => v.getInt32(o, little), int8: (o) => Number(v.getBigInt64(o, little)),
    uint1: (o) => v.getUint8(o), uint2: (o) => v.getUint16(o, little), uint4: (o) => v.getUint32(o, little), uint8: (o) => Number(v.getBigUint64(o, little)),
    bool1: (o) => v.getUint8(o),
  };
  const read = readers[`${kind}${size}`];
  return (i) => read(i * size);
}

export const isNumeric = (a: NdArray): a is Base & { bytes: Uint8Array } => 'bytes' in a;

/** Writes the array's numbers as float32 into `out` from `offset` (numeric arrays only). */
export function writeFloat32(a: NdArray, out: Float32Array, offset: number, where: string): void {
  if (!isNumeric(a)) throw new UserError(`features must be numbers, got an array of ${a.dtype.name}`, { where, hint: 'features are float or integer arrays' });
  const n = count(a.shape);
  if (a.dtype.kind === 'float' && a.dtype.size === 4 && a.dtype.little) {
    // float32 little-endian: the bytes are the values (this machine is little-endian).
    new Uint8Array(out.buffer, out.byteOffset + offset * 4, n * 4).set(a.bytes);
    return;
  }
  const read = itemReader(a);
  for (let i = 0; i < n; i++) out[offset + i] = read(i);
}

/** The array's values as numbers (labels). */
export function toNumbers(a: NdArray, where: string): Float64Array {
  if (!isNumeric(a)) throw new UserError(`expected numbers, got an array of ${a.dtype.name}`, { where });
  const read = itemReader(a);
  return Float64Array.from({ length: count(a.shape) }, (_, i) => read(i));
}

/** The array's values as strings (ids, string labels): str, bytes, integers, or an object array of those. */
export function toStrings(a: NdArray, where: string): string[] {
  if ('strings' in a) return a.strings;
  if ('items' in a) {
    return a.items.map((v, i) => {
      if (typeof v === 'string') return v;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      throw new UserError(`item ${i} is neither a string nor bytes`, { where: `${where}[${i}]`, hint: 'ids are strings, bytes or integers' });
    });
  }
  return Array.from(toNumbers(a, where), String);
}

export const itemCount = count;
