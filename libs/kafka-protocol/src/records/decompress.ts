/// <reference path="./vendor-modules.d.ts" />
import { gunzipSync } from 'node:zlib';
import { decompress as zstd } from 'fzstd';
import { decompress as lz4 } from 'lz4js';
import { uncompress as snappyBlock } from 'snappyjs';
import { MalformedFrameError } from '../codec/protocol-error';
import { Compression } from './record-batch';

/** The Java client's snappy framing (xerial's SnappyOutputStream): this magic, two ints, then blocks. */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

function snappy(payload: Buffer): Buffer {
  if (!payload.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC))
    return Buffer.from(snappyBlock(payload));
  const blocks: Buffer[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at < payload.length) {
    const length = payload.readInt32BE(at);
    at += 4;
    blocks.push(Buffer.from(snappyBlock(payload.subarray(at, at + length))));
    at += length;
  }
  return Buffer.concat(blocks);
}

/**
 * The records section of a batch, uncompressed. Used to read records (admin tools, internal
 * topics, timestamp lookups), never on the produce path, where batches stay as produced.
 */
export function decompressRecords(codec: number, payload: Buffer): Buffer {
  try {
    switch (codec) {
      case Compression.none:
        return payload;
      case Compression.gzip:
        return gunzipSync(payload);
      case Compression.snappy:
        return snappy(payload);
      case Compression.lz4:
        return Buffer.from(lz4(payload));
      case Compression.zstd:
        return Buffer.from(zstd(payload));
      default:
        throw new MalformedFrameError(`unknown compression codec ${codec}`);
    }
  } catch (error) {
    if (error instanceof MalformedFrameError) throw error;
    throw new MalformedFrameError(
      `records do not decompress with codec ${codec}: ${(error as Error).message}`,
    );
  }
}
