import type { ApiSpec, MessageSpec } from '../schema/message';
import { inVersions } from '../schema/versions';
import type { ByteReader } from './byte-reader';
import type { ByteWriter } from './byte-writer';
import { compileStruct, type StructCodec } from './struct-codec';

const compiled = new WeakMap<MessageSpec, Map<number, StructCodec>>();

/** The codec of one message (request or response) of an API at one version, compiled once. */
export function messageCodec(api: ApiSpec, message: MessageSpec, version: number): StructCodec {
  let byVersion = compiled.get(message);
  if (byVersion === undefined) {
    byVersion = new Map();
    compiled.set(message, byVersion);
  }
  let codec = byVersion.get(version);
  if (codec === undefined) {
    if (!inVersions(version, api.validVersions)) {
      throw new RangeError(`${api.name} has no version ${version} (valid: ${api.validVersions})`);
    }
    codec = compileStruct(message, version, inVersions(version, api.flexibleVersions));
    byVersion.set(version, codec);
  }
  return codec;
}

export function readMessage<T>(api: ApiSpec, message: MessageSpec, version: number, reader: ByteReader): T {
  return messageCodec(api, message, version).read(reader) as T;
}

export function writeMessage<T extends object>(
  api: ApiSpec,
  message: MessageSpec,
  version: number,
  writer: ByteWriter,
  value: T,
): void {
  messageCodec(api, message, version).write(writer, value as Record<string, unknown>);
}
