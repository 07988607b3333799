import { cachedPromise } from './promise-cache';
import { SchemaRegistryUnavailableError, schemaRegistryErrorFrom } from './registry-errors';
import type {
  SchemaDefinition,
  SchemaReference,
  SchemaType,
  StoredSchema,
  SubjectVersion,
} from './schema-types';
import { errorMessage } from './serde-errors';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface SchemaRegistryClientOptions {
  /** Base URL of the REST API, e.g. http://127.0.0.1:8081 */
  readonly url: string;
  /** Extra headers on every request (authorization, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Retries after a transport failure before giving up (default 3). */
  readonly retries?: number;
  /** Wait before the first retry, doubled for each next one (default 100 ms). */
  readonly retryBackoffMs?: number;
  /** Longest wait between retries (default 2000 ms). */
  readonly maxRetryBackoffMs?: number;
  /** Time allowed for one attempt before it counts as a transport failure (default 30000 ms). */
  readonly requestTimeoutMs?: number;
  /** The fetch to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

export interface RegisterOptions {
  /** Ask the registry to normalize the schema before looking it up or storing it. */
  readonly normalize?: boolean;
}

interface SchemaResponse {
  subject?: string;
  id?: number;
  version?: number;
  schema?: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function requestBody(definition: SchemaDefinition): string {
  const body: Record<string, unknown> = { schema: definition.schema };
  // The registry defaults to AVRO; older ones refuse the field, so it is sent only when needed.
  if (definition.schemaType !== undefined && definition.schemaType !== 'AVRO') {
    body.schemaType = definition.schemaType;
  }
  if (definition.references !== undefined && definition.references.length > 0) {
    body.references = definition.references.map(({ name, subject, version }) => ({ name, subject, version }));
  }
  return JSON.stringify(body);
}

/** What identifies a registered schema within a subject: its type, text and references. */
function definitionKey(subject: string, definition: SchemaDefinition): string {
  return JSON.stringify([
    subject,
    definition.schemaType ?? 'AVRO',
    definition.schema,
    (definition.references ?? []).map(({ name, subject, version }) => [name, subject, version]),
  ]);
}

function storedSchema(response: SchemaResponse, request: string): StoredSchema {
  if (typeof response.schema !== 'string') {
    throw new TypeError(`${request}: the response carries no schema`);
  }
  return {
    schema: response.schema,
    schemaType: response.schemaType ?? 'AVRO',
    references: response.references ?? [],
  };
}

function subjectVersion(response: SchemaResponse, request: string): SubjectVersion {
  if (
    typeof response.subject !== 'string' ||
    typeof response.id !== 'number' ||
    typeof response.version !== 'number'
  ) {
    throw new TypeError(`${request}: the response lacks subject, id or version`);
  }
  return {
    ...storedSchema(response, request),
    subject: response.subject,
    id: response.id,
    version: response.version,
  };
}

/**
 * A client for the Confluent Schema Registry REST API. Schema ids are immutable, so what an id
 * names and the id a schema got are cached for the client's lifetime; identical requests that
 * overlap share one HTTP call. Errors the registry answers throw SchemaRegistryError; transport
 * failures are retried with exponential backoff, then throw SchemaRegistryUnavailableError.
 */
export class SchemaRegistryClient {
  private readonly baseUrl: string;
  private readonly schemasById = new Map<number, Promise<StoredSchema>>();
  private readonly idsBySchema = new Map<string, Promise<number>>();
  private readonly lookups = new Map<string, Promise<{ id: number; version: number }>>();
  private readonly versions = new Map<string, Promise<SubjectVersion>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: SchemaRegistryClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
  }

  /** Registers a schema under a subject (or finds it there) and returns its id. */
  register(subject: string, definition: SchemaDefinition, options: RegisterOptions = {}): Promise<number> {
    const key = JSON.stringify([definitionKey(subject, definition), options.normalize === true]);
    return cachedPromise(this.idsBySchema, key, async () => {
      const query = options.normalize ? '?normalize=true' : '';
      const response = await this.request<SchemaResponse>(
        'POST',
        `/subjects/${encodeURIComponent(subject)}/versions${query}`,
        requestBody(definition),
      );
      if (typeof response.id !== 'number') throw new TypeError(`register ${subject}: the response has no id`);
      if (!options.normalize) this.remember(response.id, definition);
      return response.id;
    });
  }

  /** The id and version a schema has under a subject; SchemaRegistryError 40401/40403 when it has none. */
  lookup(subject: string, definition: SchemaDefinition): Promise<{ id: number; version: number }> {
    return cachedPromise(this.lookups, definitionKey(subject, definition), async () => {
      const request = `POST /subjects/${encodeURIComponent(subject)}`;
      const response = await this.request<SchemaResponse>(
        'POST',
        `/subjects/${encodeURIComponent(subject)}`,
        requestBody(definition),
      );
      const found = subjectVersion(response, request);
      this.remember(found.id, found);
      return { id: found.id, version: found.version };
    });
  }

  /** The schema an id names. */
  getSchemaById(id: number): Promise<StoredSchema> {
    return cachedPromise(this.schemasById, id, async () => {
      const path = `/schemas/ids/${id}`;
      return storedSchema(await this.request<SchemaResponse>('GET', path), `GET ${path}`);
    });
  }

  /** The latest version of a subject (not cached: it changes). */
  async getLatest(subject: string): Promise<SubjectVersion> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/latest`;
    const found = subjectVersion(await this.request<SchemaResponse>('GET', path), `GET ${path}`);
    this.remember(found.id, found);
    return found;
  }

  /** One version of a subject; cached, since a version number always names the same schema. */
  getVersion(subject: string, version: number): Promise<SubjectVersion> {
    if (version < 0) return this.getLatest(subject); // -1 means latest
    return cachedPromise(this.versions, JSON.stringify([subject, version]), async () => {
      const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
      const found = subjectVersion(await this.request<SchemaResponse>('GET', path), `GET ${path}`);
      this.remember(found.id, found);
      return found;
    });
  }

  private remember(id: number, definition: SchemaDefinition): void {
    if (this.schemasById.has(id)) return;
    this.schemasById.set(
      id,
      Promise.resolve({
        schema: definition.schema,
        schemaType: definition.schemaType ?? 'AVRO',
        references: definition.references ?? [],
      }),
    );
  }

  /** One request; identical requests in flight at the same time share it. */
  private request<T>(method: 'GET' | 'POST', path: string, body?: string): Promise<T> {
    const key = JSON.stringify([method, path, body]);
    const existing = this.inFlight.get(key);
    if (existing !== undefined) return existing as Promise<T>;
    const sending = this.send<T>(method, path, body).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, sending);
    return sending;
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body: string | undefined): Promise<T> {
    const retries = this.options.retries ?? 3;
    const request = `${method} ${path}`;
    let backoff = this.options.retryBackoffMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await (this.options.fetch ?? fetch)(`${this.baseUrl}${path}`, {
          method,
          headers: {
            Accept: `${CONTENT_TYPE}, application/json`,
            ...(body === undefined ? {} : { 'Content-Type': CONTENT_TYPE }),
            ...this.options.headers,
          },
          body,
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
        text = await response.text();
      } catch (error) {
        if (attempt > retries) {
          const reason = transportFailure(error);
          throw new SchemaRegistryUnavailableError(
            `${request} to ${this.baseUrl}: ${reason} (${attempt} attempts)`,
            attempt,
            { cause: error },
          );
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, this.options.maxRetryBackoffMs ?? 2000);
        continue;
      }
      if (!response.ok) throw schemaRegistryErrorFrom(response.status, text, request);
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new TypeError(`${request}: the response is not JSON: ${text.slice(0, 200)}`);
      }
    }
  }
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout …) is in its cause. */
function transportFailure(error: unknown): string {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  if (typeof cause !== 'object' || cause === null) return errorMessage(error);
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const detail = errorMessage(cause) || code;
  return detail ? `${errorMessage(error)}: ${detail}` : errorMessage(error);
}
