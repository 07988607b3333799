import type { AnyField, StructOf, StructSpec } from './fields';
import type { VersionRange } from './versions';

/** One request or response of one API, described once for all its versions. */
export interface MessageSpec<Fs extends readonly AnyField[] = readonly AnyField[]> extends StructSpec {
  readonly name: string;
  readonly fields: Fs;
}

/** One Kafka API: its key, the versions described, which of them are flexible, and both messages. */
export interface ApiSpec<Req extends MessageSpec = MessageSpec, Res extends MessageSpec = MessageSpec> {
  readonly apiKey: number;
  readonly name: string;
  readonly validVersions: VersionRange;
  /** Versions using compact encodings and tagged fields (KIP-482). */
  readonly flexibleVersions: VersionRange;
  readonly request: Req;
  readonly response: Res;
}

export type RequestOf<A extends ApiSpec> = A['request'] extends MessageSpec<infer Fs> ? StructOf<Fs> : never;
export type ResponseOf<A extends ApiSpec> =
  A['response'] extends MessageSpec<infer Fs> ? StructOf<Fs> : never;

export function defineApi<const Req extends readonly AnyField[], const Res extends readonly AnyField[]>(api: {
  apiKey: number;
  name: string;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  request: Req;
  response: Res;
}): ApiSpec<MessageSpec<Req>, MessageSpec<Res>> {
  return {
    apiKey: api.apiKey,
    name: api.name,
    validVersions: api.validVersions,
    flexibleVersions: api.flexibleVersions,
    request: { name: `${api.name}Request`, fields: api.request },
    response: { name: `${api.name}Response`, fields: api.response },
  };
}
