// Pickles written opcode by opcode (protocol 2 framing, as Python's pickle module writes them), so
// the fast tests can build numpy-array pickles and hostile ones without Python. Each helper
// returns bytes that push one value on the unpickler's stack.

const op = (c: string | number): Buffer => Buffer.from([typeof c === 'string' ? c.charCodeAt(0) : c]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};

export const P = {
  proto: (v = 2) => Buffer.from([0x80, v]),
  stop: () => op('.'),
  mark: () => op('('),
  tuple: () => op('t'),
  reduce: () => op('R'),
  build: () => op('b'),
  none: () => op('N'),
  bool: (v: boolean) => op(v ? 0x88 : 0x89),
  int: (n: number) => Buffer.concat([op('J'), i32(n)]),
  str: (s: string) => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([op('X'), u32(b.length), b]);
  },
  bytes: (b: Uint8Array) => Buffer.concat([op('B'), u32(b.length), Buffer.from(b)]),
  /** GLOBAL: module and name on lines (protocols 0-3). */
  global: (module: string, name: string) => Buffer.concat([op('c'), Buffer.from(`${module}\n${name}\n`, 'latin1')]),
  /** STACK_GLOBAL: module and name from the stack (protocol 4+). */
  stackGlobal: (module: string, name: string) => Buffer.concat([P.str(module), P.str(name), op(0x93)]),
  list: (items: Buffer[]) => Buffer.concat([op(']'), ...(items.length ? [op('('), ...items, op('e')] : [])]),
  dict: (entries: [string, Buffer][]) => Buffer.concat([op('}'), ...(entries.length ? [op('('), ...entries.flatMap(([k, v]) => [P.str(k), v]), op('u')] : [])]),
  tupleOf: (items: Buffer[]) => Buffer.concat([op('('), ...items, op('t')]),
  /** Memo: store the top of the stack at `i`, or push what is stored there. */
  put: (i: number) => Buffer.concat([op('q'), Buffer.from([i])]),
  get: (i: number) => Buffer.concat([op('h'), Buffer.from([i])]),
  append: () => op('a'),
};

/** numpy.dtype(code, False, True) with its state, as numpy pickles it. */
export function dtype(code: string, order = '<'): Buffer {
  return Buffer.concat([
    P.global('numpy', 'dtype'), P.tupleOf([P.str(code), P.bool(false), P.bool(true)]), P.reduce(),
    P.tupleOf([P.int(3), P.str(order), P.none(), P.none(), P.none(), P.int(-1), P.int(-1), P.int(0)]), P.build(),
  ]);
}

/** An ndarray through `_reconstruct` (numpy 1.x module names, or 2.x with numpy2) with raw bytes or object items. */
export function ndarray(code: string, shape: number[], data: Uint8Array | Buffer[], opts: { order?: string; numpy2?: boolean; latin1?: boolean } = {}): Buffer {
  const core = opts.numpy2 ? 'numpy._core.multiarray' : 'numpy.core.multiarray';
  const payload = Array.isArray(data)
    ? P.list(data)
    : opts.latin1
      ? Buffer.concat([P.global('_codecs', 'encode'), P.tupleOf([P.str(Buffer.from(data).toString('latin1')), P.str('latin1')]), P.reduce()])
      : P.bytes(data);
  return Buffer.concat([
    P.global(core, '_reconstruct'), P.tupleOf([P.global('numpy', 'ndarray'), P.tupleOf([P.int(0)]), P.bytes(Buffer.from('b'))]), P.reduce(),
    P.tupleOf([P.int(1), P.tupleOf(shape.map(P.int)), dtype(code, opts.order), P.bool(false), payload]), P.build(),
  ]);
}

/** A whole pickle of one value. */
export const pickle = (value: Buffer): Buffer => Buffer.concat([P.proto(), value, P.stop()]);

export const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
export const i64 = (values: number[]): Uint8Array => new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
