import type { ApiSpec, RequestHeader, RequestOf, ResponseOf, VersionRange } from '@trunkline/kafka-protocol';
import type { Logger } from '@trunkline/runtime';

/** A response where any field may be left out: the codec writes its default. */
export type DeepPartial<T> = T extends Buffer | bigint | string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer E)[]
    ? DeepPartial<E>[]
    : { [K in keyof T]?: DeepPartial<T[K]> };

/** What a handler knows about the request beyond its body. */
export interface RequestContext<State> {
  readonly header: RequestHeader;
  readonly version: number;
  readonly clientHost: string;
  readonly connectionId: string;
  readonly logger: Logger;
  /** Aborted when the connection closes or the broker shuts down: long polls return early. */
  readonly signal: AbortSignal;
  readonly state: State;
}

/** Serves one API over a range of its versions; ApiVersions advertises exactly that range. */
export interface ApiHandler<A extends ApiSpec = ApiSpec, State = unknown> {
  readonly api: A;
  readonly versions: VersionRange;
  /** Produce with acks=0 expects no response: return undefined. */
  handle(
    request: RequestOf<A>,
    context: RequestContext<State>,
  ): Promise<DeepPartial<ResponseOf<A>> | undefined> | DeepPartial<ResponseOf<A>> | undefined;
}

export function defineHandler<A extends ApiSpec, State>(handler: ApiHandler<A, State>): ApiHandler<A, State> {
  return handler;
}
