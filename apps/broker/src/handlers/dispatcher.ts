import {
  type ApiSpec,
  ApiVersions,
  type DecodedRequest,
  decodeRequest,
  ErrorCode,
  encodeResponse,
  inVersions,
  parseVersions,
  type UnsupportedRequest,
} from '@trunkline/kafka-protocol';
import type { ApiHandler, RequestContext } from './handler';

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** What to do with one request frame. */
export type Dispatch =
  | { kind: 'respond'; frame: Buffer[] }
  | { kind: 'no-response' }
  | { kind: 'close'; reason: string };

/**
 * Routes decoded requests to the handler registered for their API. The versions each
 * handler declares are the only source of what ApiVersions advertises, so the advertised
 * surface cannot drift from what is served.
 */
export class Dispatcher<State> {
  private readonly handlers = new Map<number, ApiHandler<ApiSpec, State>>();

  constructor(handlers: readonly ApiHandler<ApiSpec, State>[]) {
    for (const handler of handlers) {
      const { min, max } = parseVersions(handler.versions);
      const valid = parseVersions(handler.api.validVersions);
      if (min < valid.min || max > valid.max) {
        throw new Error(
          `${handler.api.name} handler serves ${handler.versions}, beyond what is described (${handler.api.validVersions})`,
        );
      }
      this.handlers.set(handler.api.apiKey, handler);
    }
  }

  /** ApiVersions' list, from the registered handlers. */
  supportedVersions(): ApiVersionRange[] {
    return [...this.handlers.values()]
      .map((h) => {
        const { min, max } = parseVersions(h.versions);
        return { apiKey: h.api.apiKey, minVersion: min, maxVersion: max };
      })
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** Decodes the frame (MalformedFrameError propagates: the caller closes the connection). */
  decode(frame: Buffer): DecodedRequest | UnsupportedRequest {
    return decodeRequest(frame, (apiKey) => this.handlers.get(apiKey)?.api);
  }

  async dispatch(
    request: DecodedRequest | UnsupportedRequest,
    context: Omit<RequestContext<State>, 'header' | 'version'>,
  ): Promise<Dispatch> {
    const { apiKey, apiVersion, correlationId } = request.header;
    const handler = this.handlers.get(apiKey);
    if (
      request.kind === 'unsupported' ||
      handler === undefined ||
      !inVersions(apiVersion, handler.versions)
    ) {
      if (apiKey === ApiVersions.apiKey) {
        // KIP-511: answer in v0 with the error and the full list, so the client can pick a version.
        const body = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.supportedVersions() };
        return { kind: 'respond', frame: encodeResponse(ApiVersions, 0, correlationId, body) };
      }
      const name = handler?.api.name ?? request.api?.name ?? `api key ${apiKey}`;
      return { kind: 'close', reason: `unsupported request: ${name} v${apiVersion}` };
    }
    const response = await handler.handle(request.body as never, {
      ...context,
      header: { ...request.header, clientId: request.kind === 'decoded' ? request.header.clientId : null },
      version: apiVersion,
    });
    if (response === undefined) return { kind: 'no-response' };
    return { kind: 'respond', frame: encodeResponse(handler.api, apiVersion, correlationId, response) };
  }
}
