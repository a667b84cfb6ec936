// An event-file decoder written for the tests from the formats' descriptions alone, sharing no
// code with dmil's writer: TFRecord framing (uint64 length, masked CRC32C of the length, data,
// masked CRC32C of the data; CRC32C computed here bit by bit from the Castagnoli polynomial) and
// the protocol buffer wire format (varints, 64- and 32-bit fields, length-delimited fields) read
// with the field numbers of TensorFlow's event.proto, summary.proto and tensor.proto and the
// hparams plugin's plugin_data.proto.

const CASTAGNOLI_REVERSED = 0x82f63b78;
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CASTAGNOLI_REVERSED : c >>> 1;
  return c >>> 0;
});

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const masked = (bytes: Uint8Array): number => {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
};

export interface Framing {
  records: Uint8Array[];
  /** Why reading stopped before the end, if it did. */
  stopped?: string;
}

export function readRecords(file: Uint8Array): Framing {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < b.length) {
    if (at + 12 > b.length) return { records, stopped: `truncated header at byte ${at}` };
    const length = Number(b.readBigUInt64LE(at));
    if (b.readUInt32LE(at + 8) !== masked(b.subarray(at, at + 8))) return { records, stopped: `length CRC mismatch at byte ${at}` };
    if (at + 12 + length + 4 > b.length) return { records, stopped: `truncated record at byte ${at}` };
    const data = b.subarray(at + 12, at + 12 + length);
    if (b.readUInt32LE(at + 12 + length) !== masked(data)) return { records, stopped: `data CRC mismatch in record ${records.length} at byte ${at}` };
    records.push(data);
    at += 16 + length;
  }
  return { records };
}

type Field = { no: number; wire: number; value: bigint | Uint8Array };

/** The fields of one protocol buffer message, in order. */
export function fields(msg: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const byte = msg[at++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
    }
  };
  while (at < msg.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) { out.push({ no, wire, value: msg.subarray(at, at + 8) }); at += 8; }
    else if (wire === 5) { out.push({ no, wire, value: msg.subarray(at, at + 4) }); at += 4; }
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ no, wire, value: msg.subarray(at, at + n) });
      at += n;
    } else throw new Error(`wire type ${wire} at byte ${at}`);
  }
  return out;
}

const one = (fs: Field[], no: number) => fs.find((f) => f.no === no)?.value;
const text = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : undefined);
const double = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).readDoubleLE(0) : undefined);

export interface DecodedValue {
  tag: string;
  plugin?: string;
  /** simple_value, or a tensor's double_val. */
  number?: number;
  /** A tensor's string_val. */
  strings?: string[];
  /** hparams plugin: the session start's hyper-parameters (number, string or bool). */
  hparams?: Record<string, number | string | boolean>;
  /** hparams plugin: the experiment's hparam names. */
  experimentHparams?: string[];
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  values: DecodedValue[];
}

function hparamsOf(content: Uint8Array): Pick<DecodedValue, 'hparams' | 'experimentHparams'> {
  const data = fields(content);
  const start = one(data, 3);
  if (start instanceof Uint8Array) {
    const hparams: Record<string, number | string | boolean> = {};
    for (const entry of fields(start).filter((f) => f.no === 1)) {
      const kv = fields(entry.value as Uint8Array);
      const v = fields(one(kv, 2) as Uint8Array)[0];
      hparams[text(one(kv, 1))!] = v.no === 2 ? double(v.value)! : v.no === 3 ? text(v.value)! : v.value === 1n;
    }
    return { hparams };
  }
  const experiment = one(data, 2);
  if (experiment instanceof Uint8Array) return { experimentHparams: fields(experiment).filter((f) => f.no === 4).map((f) => text(one(fields(f.value as Uint8Array), 1))!) };
  return {};
}

function decodeValue(msg: Uint8Array): DecodedValue {
  const f = fields(msg);
  const value: DecodedValue = { tag: text(one(f, 1)) ?? '' };
  const simple = one(f, 2);
  if (simple instanceof Uint8Array) value.number = Buffer.from(simple).readFloatLE(0);
  const meta = one(f, 9);
  const plugin = meta instanceof Uint8Array ? one(fields(meta), 1) : undefined;
  if (plugin instanceof Uint8Array) {
    const pf = fields(plugin);
    value.plugin = text(one(pf, 1));
    const content = one(pf, 2);
    if (value.plugin === 'hparams' && content instanceof Uint8Array) Object.assign(value, hparamsOf(content));
  }
  const tensor = one(f, 8);
  if (tensor instanceof Uint8Array) {
    const tf = fields(tensor);
    const doubles: number[] = [];
    for (const d of tf.filter((x) => x.no === 6)) {
      const bytes = Buffer.from(d.value as Uint8Array);
      if (d.wire === 1) doubles.push(bytes.readDoubleLE(0));
      else for (let i = 0; i < bytes.length; i += 8) doubles.push(bytes.readDoubleLE(i));
    }
    if (doubles.length) value.number = doubles[0];
    const strings = tf.filter((x) => x.no === 8).map((x) => text(x.value)!);
    if (strings.length) value.strings = strings;
  }
  return value;
}

export function decodeEvent(record: Uint8Array): DecodedEvent {
  const f = fields(record);
  const summary = one(f, 5);
  return {
    wallTime: double(one(f, 1)) ?? 0,
    step: Number((one(f, 2) as bigint | undefined) ?? 0n),
    fileVersion: text(one(f, 3)),
    values: summary instanceof Uint8Array ? fields(summary).filter((x) => x.no === 1).map((x) => decodeValue(x.value as Uint8Array)) : [],
  };
}
