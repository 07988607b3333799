import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@trunkline/runtime';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Leadership } from '../leader/leadership';
import { errors, RegistryError } from '../registry/registry-error';
import type { SchemasTopic } from '../store/schemas-topic';
import { FORWARDED_HEADER, forwardToLeader, LeaderUnreachableError, OFFSET_HEADER } from './forwarding';
import type { RestApi } from './rest-api';

/** One API request, as HTTP or the gRPC admin API received it. */
export interface ApiRequest {
  method: string;
  url: URL;
  body: Buffer;
  contentType?: string | undefined;
  /** Sent by another instance: never forwarded again. */
  forwarded: boolean;
}

export interface ApiAnswer {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
];

export interface RestServerOptions {
  api: RestApi;
  leadership: Leadership;
  topic: SchemasTopic;
  logger: Logger;
  metrics: Registry;
  /** A larger body is refused with 42209 before it is read to the end. */
  maxBodyBytes: number;
  /** How long a write may wait for an election and the leader's answer. */
  writeTimeoutMs: number;
}

/** The REST listener: parses requests, runs reads here and writes on the leader. */
export class RestServer {
  private readonly server: Server;
  private readonly requests: Counter<'method' | 'status'>;
  private readonly latency: Histogram<'method'>;

  constructor(private readonly options: RestServerOptions) {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.requests = new Counter({
      name: 'trunkline_schema_registry_requests_total',
      help: 'REST requests answered, by method and HTTP status',
      labelNames: ['method', 'status'],
      registers: [options.metrics],
    });
    this.latency = new Histogram({
      name: 'trunkline_schema_registry_request_seconds',
      help: 'REST request latency',
      labelNames: ['method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [options.metrics],
    });
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let status = 500;
    try {
      const answer = await this.execute({
        method,
        url: requestUrl(req.url),
        body: await this.readBody(req),
        contentType: req.headers['content-type'],
        forwarded: req.headers[FORWARDED_HEADER] !== undefined,
      });
      status = answer.status;
      res.writeHead(status, { 'content-type': answer.contentType, ...answer.headers });
      res.end(answer.body);
    } catch (error) {
      const failure = asRegistryError(error, this.options.logger);
      status = failure.httpStatus;
      send(
        res,
        status,
        { error_code: failure.errorCode, message: failure.message },
        failure.errorCode === 42209,
      );
    } finally {
      this.requests.inc({ method, status: String(status) });
      this.latency.observe({ method }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /**
   * Answers one API request, from HTTP or from the gRPC admin API: reads here, writes on
   * the leader (forwarded when another instance leads). Throws RegistryError.
   */
  async execute(request: ApiRequest): Promise<ApiAnswer> {
    const { method, url } = request;
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw errors.badRequest(`the path segment '${s}' is not valid percent-encoding`);
        }
      });
    const isWrite = this.options.api.isWrite(method, segments);
    const body = parseBody(request.contentType, request.body);
    if (isWrite) {
      const forwarded = await this.runOnLeader(request.forwarded, method, url, request.body);
      if (forwarded !== undefined)
        return {
          status: forwarded.status,
          contentType: forwarded.contentType,
          body: forwarded.body,
          headers: {},
        };
    }
    const response = await this.options.api.handle({ method, segments, query: url.searchParams, body });
    return {
      status: response.status,
      contentType: CONTENT_TYPE,
      body: response.raw ? String(response.body) : JSON.stringify(response.body),
      headers: isWrite ? { [OFFSET_HEADER]: String(this.options.topic.appliedOffset) } : {},
    };
  }

  /**
   * Runs a write: returns undefined when this instance leads (the caller runs it here), or
   * the leader's answer after this instance has read the leader's write (read-your-writes).
   */
  private async runOnLeader(wasForwarded: boolean, method: string, url: URL, body: Buffer) {
    const deadline = Date.now() + this.options.writeTimeoutMs;
    for (;;) {
      const remaining = Math.max(1, deadline - Date.now());
      const target = await this.options.leadership.writeTarget(remaining);
      if (target.local) return undefined;
      if (wasForwarded) throw errors.unknownLeader();
      try {
        const answer = await forwardToLeader(
          target.leader,
          { method, pathAndQuery: url.pathname + url.search, body },
          remaining,
        );
        const refusedByFollower = answer.status === 500 && answer.body.includes('"error_code":50004');
        if (!refusedByFollower || Date.now() >= deadline) {
          if (answer.offset !== undefined) await this.options.topic.waitFor(answer.offset);
          return answer;
        }
      } catch (error) {
        if (!(error instanceof LeaderUnreachableError) || Date.now() >= deadline) throw error;
      }
      // The leader is gone or no longer leads: wait for the group to elect the next one.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private readBody(req: IncomingMessage): Promise<Buffer> {
    const limit = this.options.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return Promise.reject(errors.schemaTooLarge(declared, limit));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners('data');
          req.resume();
          reject(errors.schemaTooLarge(size, limit));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }
}

function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== '' && !ACCEPTED_TYPES.includes(type))
    throw errors.unsupportedMediaType(`HTTP 415 Unsupported Media Type: ${type}; send ${CONTENT_TYPE}`);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw errors.badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

function requestUrl(target: string | undefined): URL {
  try {
    return new URL(`http://registry${target ?? '/'}`);
  } catch {
    throw errors.badRequest(`'${target}' is not a request path`);
  }
}

function asRegistryError(error: unknown, logger: Logger): RegistryError {
  if (error instanceof RegistryError) return error;
  logger.error({ err: error }, 'request failed unexpectedly');
  return errors.storeError((error as Error).message, error);
}

function send(res: ServerResponse, status: number, body: unknown, close: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': CONTENT_TYPE, ...(close ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(body));
}
