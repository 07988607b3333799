import type { ByteReader } from './codec/byte-reader';
import type { ByteWriter } from './codec/byte-writer';
import { MalformedFrameError } from './codec/protocol-error';
import type { ApiSpec } from './schema/message';
import { inVersions } from './schema/versions';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

const API_VERSIONS_KEY = 18;

/** Flexible API versions use request header v2 (with tagged fields), others v1. */
export function requestHeaderVersion(api: ApiSpec, apiVersion: number): 1 | 2 {
  return inVersions(apiVersion, api.flexibleVersions) ? 2 : 1;
}

/**
 * Flexible versions use response header v1, except ApiVersions: its response keeps header
 * v0 so that a client that sent a version the broker does not know can still read it (KIP-511).
 */
export function responseHeaderVersion(api: ApiSpec, apiVersion: number): 0 | 1 {
  return api.apiKey !== API_VERSIONS_KEY && inVersions(apiVersion, api.flexibleVersions) ? 1 : 0;
}

/** The fixed start of every request: enough to pick the API before knowing its versions. */
export function readRequestHeaderStart(reader: ByteReader): Omit<RequestHeader, 'clientId'> {
  return { apiKey: reader.int16(), apiVersion: reader.int16(), correlationId: reader.int32() };
}

/** The rest of a v1/v2 request header: the client id (a non-compact nullable string), then tags. */
export function readRequestHeaderRest(reader: ByteReader, headerVersion: 1 | 2): { clientId: string | null } {
  const length = reader.int16();
  if (length < -1) throw new MalformedFrameError(`client id length ${length}`);
  const clientId = length === -1 ? null : reader.utf8(length);
  if (headerVersion === 2) skipTaggedFields(reader);
  return { clientId };
}

export function skipTaggedFields(reader: ByteReader): void {
  const count = reader.uvarint();
  for (let i = 0; i < count; i++) {
    reader.uvarint();
    reader.skip(reader.uvarint());
  }
}

export function writeRequestHeader(writer: ByteWriter, header: RequestHeader, headerVersion: 1 | 2): void {
  writer.int16(header.apiKey);
  writer.int16(header.apiVersion);
  writer.int32(header.correlationId);
  if (header.clientId === null) writer.int16(-1);
  else {
    const n = Buffer.byteLength(header.clientId);
    writer.int16(n);
    writer.utf8(header.clientId, n);
  }
  if (headerVersion === 2) writer.uvarint(0);
}

export function writeResponseHeader(writer: ByteWriter, correlationId: number, headerVersion: 0 | 1): void {
  writer.int32(correlationId);
  if (headerVersion === 1) writer.uvarint(0);
}

export function readResponseHeader(reader: ByteReader, headerVersion: 0 | 1): { correlationId: number } {
  const correlationId = reader.int32();
  if (headerVersion === 1) skipTaggedFields(reader);
  return { correlationId };
}
