// Types for the two pure-JavaScript codecs that ship none.
declare module 'lz4js' {
  /** Decompresses an LZ4 frame (what Kafka's lz4 codec writes). */
  export function decompress(source: Uint8Array, maxSize?: number): Uint8Array;
  /** Decompresses one raw block src[start, start + length) into dst from dstStart; returns dst's end. */
  export function decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    start: number,
    length: number,
    dstStart: number,
  ): number;
  /**
   * LZ4-compresses src[start, start + length) into dst as one raw block; returns the compressed
   * length, or 0 when nothing matched (the caller then stores the block uncompressed). Matches
   * only reach back to positions recorded in hashTable, so a fresh table gives an independent block.
   */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    start: number,
    length: number,
    hashTable: Uint32Array,
  ): number;
}

declare module 'lz4js/xxh32.js' {
  /** XXH32 of src[start, start + length). */
  export function hash(seed: number, src: Uint8Array, start: number, length: number): number;
}

declare module 'snappyjs' {
  /** Decompresses one raw Snappy block. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses into one raw Snappy block (no framing); returns the argument's type. */
  export function compress<T extends Uint8Array>(uncompressed: T): T;
}
