import { ByteReader } from './codec/byte-reader';
import { ByteWriter } from './codec/byte-writer';
import { messageCodec } from './codec/message-codec';
import { MalformedFrameError } from './codec/protocol-error';
import {
  type RequestHeader,
  readRequestHeaderRest,
  readRequestHeaderStart,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from './headers';
import type { ApiSpec } from './schema/message';
import { inVersions } from './schema/versions';

/** A request whose API and version are known, decoded. */
export interface DecodedRequest {
  readonly kind: 'decoded';
  readonly header: RequestHeader;
  readonly api: ApiSpec;
  readonly body: Record<string, unknown>;
}

/** A request for an API or version this side does not describe: only the fixed header is known. */
export interface UnsupportedRequest {
  readonly kind: 'unsupported';
  readonly header: Omit<RequestHeader, 'clientId'>;
  readonly api: ApiSpec | undefined;
}

/**
 * Decodes one request frame (the bytes after the 4-byte size). Malformed bytes throw
 * MalformedFrameError; an unknown API or version is returned as `unsupported`.
 */
export function decodeRequest(
  frame: Buffer,
  lookup: (apiKey: number) => ApiSpec | undefined,
): DecodedRequest | UnsupportedRequest {
  const reader = new ByteReader(frame);
  const start = readRequestHeaderStart(reader);
  const api = lookup(start.apiKey);
  if (api === undefined || !inVersions(start.apiVersion, api.validVersions)) {
    return { kind: 'unsupported', header: start, api };
  }
  const { clientId } = readRequestHeaderRest(reader, requestHeaderVersion(api, start.apiVersion));
  const body = messageCodec(api, api.request, start.apiVersion).read(reader);
  if (reader.remaining !== 0) {
    throw new MalformedFrameError(
      `${api.name} v${start.apiVersion} request has ${reader.remaining} bytes left over`,
    );
  }
  return { kind: 'decoded', header: { ...start, clientId }, api, body };
}

function sizePrefixed(writer: ByteWriter): Buffer[] {
  const size = Buffer.allocUnsafe(4);
  size.writeInt32BE(writer.length);
  return [size, ...writer.finish()];
}

/** A response frame, size prefix included, as buffers for a vectored write. */
export function encodeResponse(api: ApiSpec, version: number, correlationId: number, body: object): Buffer[] {
  const writer = new ByteWriter();
  writeResponseHeader(writer, correlationId, responseHeaderVersion(api, version));
  messageCodec(api, api.response, version).write(writer, body as Record<string, unknown>);
  return sizePrefixed(writer);
}

/** A request frame, size prefix included (for clients and tests). */
export function encodeRequest(api: ApiSpec, header: RequestHeader, body: object): Buffer[] {
  const writer = new ByteWriter();
  writeRequestHeader(writer, header, requestHeaderVersion(api, header.apiVersion));
  messageCodec(api, api.request, header.apiVersion).write(writer, body as Record<string, unknown>);
  return sizePrefixed(writer);
}

/** Decodes a response frame (after the size) of a request sent at `version`. */
export function decodeResponse(
  api: ApiSpec,
  version: number,
  frame: Buffer,
): { correlationId: number; body: Record<string, unknown> } {
  const reader = new ByteReader(frame);
  const { correlationId } = readResponseHeader(reader, responseHeaderVersion(api, version));
  const body = messageCodec(api, api.response, version).read(reader);
  if (reader.remaining !== 0) {
    throw new MalformedFrameError(`${api.name} v${version} response has ${reader.remaining} bytes left over`);
  }
  return { correlationId, body };
}
