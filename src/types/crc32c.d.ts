// crc-32's CRC32C (Castagnoli) entry point has the same API as its CRC32 one but ships no types.
declare module 'crc-32/crc32c' {
  export * from 'crc-32';
}
