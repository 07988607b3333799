import { Metadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Code, TrunklineError } from '../errors';

const DETAIL_PREFIX = 'trunkline-';

/** The status a gRPC caller sees for an error a handler threw; details travel as trailers. */
export function toGrpcStatus(error: TrunklineError): Partial<StatusObject> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(error.details)) {
    metadata.set(`${DETAIL_PREFIX}${key.toLowerCase()}`, value);
  }
  return { code: error.code as number, details: error.message, metadata };
}

/** The TrunklineError a client raises for a failed call, with the server's details. */
export function fromServiceError(error: ServiceError): TrunklineError {
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    if (key.startsWith(DETAIL_PREFIX) && typeof value === 'string')
      details[key.slice(DETAIL_PREFIX.length)] = value;
  }
  const code = (error.code as number) in Code ? (error.code as number as Code) : Code.Unknown;
  return new TrunklineError(code, error.details || error.message, { details, cause: error });
}
