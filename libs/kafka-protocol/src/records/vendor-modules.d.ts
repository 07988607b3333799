// Types for the two pure-JavaScript codecs that ship none.
declare module 'lz4js' {
  /** Decompresses an LZ4 frame (what Kafka's lz4 codec writes). */
  export function decompress(source: Uint8Array, maxSize?: number): Uint8Array;
}

declare module 'snappyjs' {
  /** Decompresses one raw Snappy block. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}
