// Reading Python pickles of dicts and lists of numpy arrays, as MultiBench's affect files ship
// (mosi_raw.pkl, mosei_senti_data.pkl, sarcasm.pkl, humor.pkl), through pickleparser (protocols
// 0-5). A pickle names Python callables that the loader calls; dmil resolves only the ones numpy's
// array and dtype reconstruction needs (numpy 1.x `numpy.core.*`, numpy 2.x `numpy._core.*`) and
// `_codecs.encode` (protocol 2's bytes), each a JavaScript function that records numbers and
// never runs Python. Any other name (os.system, builtins.eval, ...) stops the read at that opcode
// with one line, before anything after it is read. The parsed tree is then copied into plain
// values (prototypes and shapes checked), so nothing a pickle sets on an object survives.
import * as fs from 'node:fs';
import { Parser } from 'pickleparser';
import { UserError } from '../errors';
import { requireFile } from './files';
import { arrayFromBuffer, dtypeOf, type Dtype, type NdArray } from './ndarray';

/** What a pickle of arrays holds once read: numbers, strings, bytes, lists (and tuples), dicts, arrays. */
export type PyValue = number | bigint | string | boolean | null | Uint8Array | NdArray | PyValue[] | Map<string | number, PyValue>;

/** A pickle that named a callable dmil does not allow. */
class ForbiddenGlobal extends Error {
  constructor(readonly global: string) {
    super(global);
  }
}
/** A whitelisted callable called with arguments numpy never writes. */
class BadReconstruction extends Error {}

const DTYPE = Symbol('dtype');
const ARRAY = Symbol('array');
interface DtypeBuilder { [DTYPE]: true; code: string; order: string; itemsize?: number; __setstate__(state: unknown): void }
interface ArrayBuilder { [ARRAY]: true; array?: NdArray; __setstate__(state: unknown): void }

const isDtype = (x: unknown): x is DtypeBuilder => typeof x === 'object' && x !== null && DTYPE in x;
const need = (ok: boolean, what: string): void => {
  if (!ok) throw new BadReconstruction(what);
};
const isShape = (x: unknown): x is number[] => Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
const bytesOf = (x: unknown): Uint8Array | undefined => (x instanceof Uint8Array ? x : undefined);

/** numpy.dtype(code, align, copy), then BUILD with (version, byte order, subarray, names, fields, elsize, alignment, flags). */
function makeDtype(code: unknown): DtypeBuilder {
  need(typeof code === 'string', 'numpy.dtype needs a type code');
  return {
    [DTYPE]: true, code: code as string, order: '|',
    __setstate__(state: unknown) {
      need(Array.isArray(state) && state.length >= 6 && typeof state[1] === 'string', 'a dtype state numpy writes');
      const s = state as unknown[];
      // Structured dtypes (names, fields) or subarrays are not arrays of numbers.
      need(s[2] === null && s[3] === null && s[4] === null, 'a dtype without fields or subarrays (structured arrays are not supported)');
      this.order = s[1] as string;
      if (typeof s[5] === 'number' && s[5] > 0) this.itemsize = s[5];
    },
  };
}

function dtypeFrom(b: unknown): Dtype {
  need(isDtype(b), 'a numpy dtype');
  const d = b as DtypeBuilder;
  return dtypeOf(d.code, d.order, d.itemsize);
}

/** numpy 1.x/2.x `_reconstruct(ndarray, (0,), b'b')`, then BUILD with (version, shape, dtype, fortran, data). */
function makeArray(cls: unknown): ArrayBuilder {
  need(cls === NDARRAY, 'numpy.ndarray as the class to reconstruct');
  return {
    [ARRAY]: true,
    __setstate__(state: unknown) {
      need(Array.isArray(state) && state.length === 5, 'an ndarray state (version, shape, dtype, fortran, data)');
      const [, shape, dtype, fortran, data] = state as unknown[];
      need(isShape(shape), 'an array shape');
      if (fortran === true) throw new UserError('an array in the pickle is in Fortran order', { hint: 'pickle C-ordered copies: numpy.ascontiguousarray(a)' });
      const type = dtypeFrom(dtype);
      if (type.kind === 'object') {
        need(Array.isArray(data), 'the items of an object array');
        this.array = { shape: shape as number[], dtype: type, items: data as unknown[] };
        return;
      }
      const raw = bytesOf(data) ?? (typeof data === 'string' ? Buffer.from(data, 'latin1') : undefined);
      need(raw !== undefined, 'the bytes of an array');
      this.array = arrayFromBuffer(raw!, type, shape as number[]);
    },
  };
}

/** Arrays _frombuffer made: frozen, so a later BUILD cannot change them. */
const MADE = new WeakSet<object>();

/** numpy's protocol-5 path: `_frombuffer(buffer, dtype, shape, order)`. */
function fromBuffer(buf: unknown, dtype: unknown, shape: unknown, order: unknown): NdArray {
  const raw = bytesOf(buf);
  need(raw !== undefined && isShape(shape), 'a buffer and a shape');
  if (order === 'F') throw new UserError('an array in the pickle is in Fortran order', { hint: 'pickle C-ordered copies: numpy.ascontiguousarray(a)' });
  const a = Object.freeze(arrayFromBuffer(raw!, dtypeFrom(dtype), shape as number[]));
  MADE.add(a);
  return a;
}

const NDARRAY = Object.freeze({ name: 'numpy.ndarray' });
/** Protocol 2 pickles bytes as _codecs.encode(str, 'latin1'). */
function encode(text: unknown, codec: unknown): Uint8Array {
  need(typeof text === 'string' && codec === 'latin1', "_codecs.encode(text, 'latin1')");
  return Buffer.from(text as string, 'latin1');
}

/** Every callable a pickle of numpy arrays may name; nothing else resolves. */
const ALLOWED: Record<string, unknown> = {
  'numpy.core.multiarray._reconstruct': makeArray,
  'numpy._core.multiarray._reconstruct': makeArray,
  'numpy.core.numeric._frombuffer': fromBuffer,
  'numpy._core.numeric._frombuffer': fromBuffer,
  'numpy.ndarray': NDARRAY,
  'numpy.dtype': makeDtype,
  '_codecs.encode': encode,
};

/** The names of the callables a pickle may use, for messages and docs. */
export const ALLOWED_GLOBALS = Object.keys(ALLOWED);

/** Copies the parser's tree into plain values, refusing anything a pickle of arrays does not hold. */
function plain(x: unknown, where: string, seen: Set<unknown>): PyValue {
  if (x === null || typeof x === 'number' || typeof x === 'bigint' || typeof x === 'string' || typeof x === 'boolean') return x;
  if (x instanceof Uint8Array) return x;
  if (typeof x !== 'object') throw new UserError(`${where} holds a ${typeof x}, not data`, { hint: 'pickle only dicts, lists and numpy arrays' });
  if (seen.has(x)) throw new UserError(`${where} refers to itself`, { hint: 'pickle a tree of dicts, lists and arrays' });
  seen.add(x);
  try {
    if (ARRAY in x) {
      const a = (x as ArrayBuilder).array;
      if (!a) throw new UserError(`${where} is an array without its data`, { hint: 'the pickle is damaged' });
      return 'items' in a ? { ...a, items: a.items.map((v, i) => plain(v, `${where}[${i}]`, seen)) } : a;
    }
    if (MADE.has(x)) return x as NdArray;
    if (Array.isArray(x) && Object.getPrototypeOf(x) === Array.prototype && Object.keys(x).length === x.length) {
      return Array.from(x, (v, i) => plain(v, `${where}[${i}]`, seen));
    }
    if (x instanceof Map && Object.getPrototypeOf(x) === Map.prototype && Object.keys(x).length === 0) {
      const out = new Map<string | number, PyValue>();
      for (const [k, v] of x) {
        const key = k instanceof Uint8Array ? Buffer.from(k).toString('utf8') : k;
        if (typeof key !== 'string' && typeof key !== 'number') throw new UserError(`${where} has a key that is neither a string nor a number`);
        out.set(key, plain(v, `${where}[${JSON.stringify(key)}]`, seen));
      }
      return out;
    }
    throw new UserError(`${where} holds an object dmil does not read (${(x as { __module__?: string }).__module__ ?? 'unknown'})`, { hint: 'pickle only dicts, lists and numpy arrays' });
  } finally {
    seen.delete(x);
  }
}

/** Parses pickle bytes; `file` names them in messages. */
export function parsePickle(bytes: Uint8Array, file: string): PyValue {
  const parser = new Parser({
    nameResolver: {
      resolve: (module: string, name: string) => {
        const global = `${module}.${name}`;
        if (!Object.hasOwn(ALLOWED, global)) throw new ForbiddenGlobal(global);
        return ALLOWED[global] as () => unknown;
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  let tree: unknown;
  try {
    tree = parser.parse(bytes);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.message, { where: file, hint: e.hint });
    if (e instanceof ForbiddenGlobal) {
      throw new UserError(`the pickle names the Python callable ${e.global}, which dmil does not run (only numpy array reconstruction is allowed)`, {
        where: file, hint: 'nothing was run; a pickle from an unknown source can be an attack: if the file is yours, save its arrays with numpy.save and use data.source: npy',
      });
    }
    if (e instanceof BadReconstruction) throw new UserError(`not a pickle of numpy arrays: expected ${e.message}`, { where: file, hint: 'pickle dicts and lists of numpy arrays' });
    throw new UserError(`not a readable pickle (${(e as Error).message.split('\n')[0]})`, { where: file, hint: 'the file is truncated or not a pickle; download it again' });
  }
  try {
    return plain(tree, 'the pickle', new Set());
  } catch (e) {
    if (e instanceof UserError) throw new UserError(e.message, { where: file, hint: e.hint });
    throw e;
  }
}

export function readPickle(file: string): PyValue {
  requireFile(file, 'pickle file');
  return parsePickle(fs.readFileSync(file), file);
}
