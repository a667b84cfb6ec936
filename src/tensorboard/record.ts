// TFRecord framing, the container of TensorBoard's event files: each record is
//   uint64 length (little-endian) | uint32 masked CRC32C of those 8 bytes | data | uint32 masked CRC32C of data
// where masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8 (mod 2^32). The CRC32C (Castagnoli) is
// crc-32's; a reader stops at a record whose length or CRC does not check out.
import { buf as crc32c } from 'crc-32/crc32c';

export const maskedCrc32c = (data: Uint8Array): number => {
  const c = crc32c(data) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
};

/** One framed record. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/**
 * The records of a file's bytes, in order, up to the first that is incomplete (a writer killed
 * mid-record) or whose CRC fails; `complete` says whether every byte was read.
 */
export function unframeRecords(bytes: Uint8Array): { records: Uint8Array[]; complete: boolean } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= view.length) {
    const length = Number(view.readBigUInt64LE(at));
    if (view.readUInt32LE(at + 8) !== maskedCrc32c(view.subarray(at, at + 8))) break;
    if (at + 12 + length + 4 > view.length) break;
    const data = view.subarray(at + 12, at + 12 + length);
    if (view.readUInt32LE(at + 12 + length) !== maskedCrc32c(data)) break;
    records.push(data);
    at += 12 + length + 4;
  }
  return { records, complete: at === view.length };
}
