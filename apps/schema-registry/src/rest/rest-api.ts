import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '@trunkline/schema-compat';
import { SCHEMA_TYPES } from '../registry/parsed-schemas';
import { errors } from '../registry/registry-error';
import { parseVersion, schemaRequestFrom } from '../registry/requests';
import type { SchemaRegistry } from '../registry/schema-registry';
import type { ConfigValue, SchemaValue } from '../store/schema-records';

export interface RestRequest {
  method: string;
  /** Path segments, percent-decoded (a subject may contain '/'). */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface RestResponse {
  status: number;
  /** Sent as JSON, or as-is when `raw` (the /schema endpoints return the schema text itself). */
  body: unknown;
  raw?: boolean;
}

interface Route {
  method: string;
  path: string[];
  /** Writes run on the leader; a follower forwards them. */
  write: boolean;
  handle(params: string[], request: RestRequest): RestResponse | Promise<RestResponse>;
}

/** The Confluent Schema Registry REST API over a SchemaRegistry, independent of HTTP. */
export class RestApi {
  private readonly routes: Route[];

  constructor(registry: SchemaRegistry) {
    this.routes = routes(registry);
  }

  /** The route a request goes to; 404 or 405 when there is none. */
  route(method: string, segments: readonly string[]): { route: Route; params: string[] } {
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.path, segments);
      if (params === undefined) continue;
      pathMatched = true;
      if (route.method === method) return { route, params };
    }
    if (pathMatched) throw errors.methodNotAllowed(`HTTP 405 Method Not Allowed`);
    throw errors.notFound('HTTP 404 Not Found');
  }

  isWrite(method: string, segments: readonly string[]): boolean {
    return this.route(method, segments).route.write;
  }

  async handle(request: RestRequest): Promise<RestResponse> {
    const { route, params } = this.route(request.method, request.segments);
    return route.handle(params, request);
  }
}

function match(pattern: readonly string[], segments: readonly string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) params.push(segments[i]!);
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

const ok = (body: unknown): RestResponse => ({ status: 200, body });

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function schemaId(raw: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2147483647)
    throw errors.schemaNotFound(`Schema ${raw} not found`);
  return Number(raw);
}

/** A stored version as the API returns it: schemaType and references only when not the defaults. */
export function schemaJson(value: SchemaValue, fields: 'full' | 'schema' = 'full'): Record<string, unknown> {
  return {
    ...(fields === 'full' ? { subject: value.subject, version: value.version, id: value.id } : {}),
    ...(value.schemaType === 'AVRO' ? {} : { schemaType: value.schemaType }),
    ...(value.references.length === 0 ? {} : { references: value.references }),
    schema: value.schema,
  };
}

function configJson(config: ConfigValue): Record<string, unknown> {
  const { compatibilityLevel, ...rest } = config;
  return { ...rest, compatibilityLevel };
}

function configUpdate(body: unknown): ConfigValue {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest('The request body must be a JSON object such as {"compatibility": "FULL"}');
  const { compatibility, compatibilityLevel, ...rest } = body as Record<string, unknown>;
  const level = compatibility ?? compatibilityLevel;
  const update: ConfigValue = {};
  if (level !== undefined && level !== null) {
    const upper = typeof level === 'string' ? level.toUpperCase() : '';
    if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(upper))
      throw errors.invalidCompatibilityLevel();
    update.compatibilityLevel = upper as CompatibilityLevel;
  }
  for (const [key, value] of Object.entries(rest))
    if (value !== null && value !== undefined) update[key] = value;
  if (Object.keys(update).length === 0) throw errors.invalidCompatibilityLevel();
  return update;
}

function modeOf(body: unknown): string {
  const mode = (body as Record<string, unknown> | null)?.mode;
  if (typeof mode !== 'string') throw errors.invalidMode();
  return mode;
}

function routes(registry: SchemaRegistry): Route[] {
  const get = (path: string, handle: Route['handle']): Route => ({
    method: 'GET',
    path: split(path),
    write: false,
    handle,
  });
  const write = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    path: split(path),
    write: true,
    handle,
  });
  return [
    get('/', () => ok({})),
    get('/schemas/types', () => ok([...SCHEMA_TYPES])),
    get('/contexts', () => ok(registry.contexts())),
    get('/schemas', (_, { query }) =>
      ok(
        registry
          .schemas({
            prefix: query.get('subjectPrefix') ?? undefined,
            deleted: flag(query, 'deleted'),
            latestOnly: flag(query, 'latestOnly'),
          })
          .map((v) => schemaJson(v)),
      ),
    ),
    get('/schemas/ids/:id', ([id], { query }) => {
      const value = inFormat(registry, registry.schemaById(schemaId(id!)), query);
      return ok({
        ...schemaJson(value, 'schema'),
        ...(flag(query, 'fetchMaxId') ? { maxId: registry.maxId } : {}),
      });
    }),
    get('/schemas/ids/:id/schema', ([id]) => ({
      status: 200,
      body: registry.schemaById(schemaId(id!)).schema,
      raw: true,
    })),
    get('/schemas/ids/:id/subjects', ([id], { query }) =>
      ok([...new Set(registry.usesOfId(schemaId(id!), flag(query, 'deleted')).map((v) => v.subject))]),
    ),
    get('/schemas/ids/:id/versions', ([id], { query }) =>
      ok(
        registry
          .usesOfId(schemaId(id!), flag(query, 'deleted'))
          .map(({ subject, version }) => ({ subject, version })),
      ),
    ),
    get('/subjects', (_, { query }) =>
      ok(
        registry.subjects({
          prefix: query.get('subjectPrefix') ?? undefined,
          deleted: flag(query, 'deleted'),
          deletedOnly: flag(query, 'deletedOnly'),
        }),
      ),
    ),
    {
      method: 'POST',
      path: split('/subjects/:subject'),
      write: false,
      handle: ([subject], { query, body }) =>
        ok(
          schemaJson(registry.lookup(subject!, schemaRequestFrom(body), { deleted: flag(query, 'deleted') })),
        ),
    },
    write('DELETE', '/subjects/:subject', async ([subject], { query }) =>
      ok(await registry.deleteSubject(subject!, flag(query, 'permanent'))),
    ),
    get('/subjects/:subject/versions', ([subject], { query }) =>
      ok(
        registry.versions(subject!, {
          deleted: flag(query, 'deleted'),
          deletedOnly: flag(query, 'deletedOnly'),
        }),
      ),
    ),
    write('POST', '/subjects/:subject/versions', async ([subject], { query, body }) => {
      const normalize = query.has('normalize') ? flag(query, 'normalize') : undefined;
      const { value } = await registry.register(subject!, schemaRequestFrom(body), { normalize });
      return ok(schemaJson(value));
    }),
    get('/subjects/:subject/versions/:version', ([subject, version], { query }) =>
      ok(
        schemaJson(
          inFormat(
            registry,
            registry.version(subject!, parseVersion(version!), flag(query, 'deleted')),
            query,
          ),
        ),
      ),
    ),
    get('/subjects/:subject/versions/:version/schema', ([subject, version], { query }) => ({
      status: 200,
      body: registry.version(subject!, parseVersion(version!), flag(query, 'deleted')).schema,
      raw: true,
    })),
    get('/subjects/:subject/versions/:version/referencedby', ([subject, version]) =>
      ok(registry.referencedBy(subject!, parseVersion(version!))),
    ),
    write('DELETE', '/subjects/:subject/versions/:version', async ([subject, version], { query }) =>
      ok(await registry.deleteVersion(subject!, parseVersion(version!), flag(query, 'permanent'))),
    ),
    ...[
      '/compatibility/subjects/:subject/versions/:version',
      '/compatibility/subjects/:subject/versions',
    ].map(
      (path): Route => ({
        method: 'POST',
        path: split(path),
        write: false,
        handle: ([subject, version], { query, body }) => {
          const spec = version === undefined ? undefined : parseVersion(version);
          const result = registry.testCompatibility(subject!, spec, schemaRequestFrom(body));
          return ok({
            is_compatible: result.compatible,
            ...(flag(query, 'verbose') ? { messages: result.messages } : {}),
          });
        },
      }),
    ),
    get('/config', () => ok(configJson(registry.config(null)))),
    write('PUT', '/config', async (_, { body }) =>
      ok(configReply(await registry.setConfig(null, configUpdate(body)))),
    ),
    write('DELETE', '/config', async () => ok(configJson(await registry.deleteConfig(null)))),
    get('/config/:subject', ([subject], { query }) =>
      ok(configJson(registry.config(subject!, flag(query, 'defaultToGlobal')))),
    ),
    write('PUT', '/config/:subject', async ([subject], { body }) =>
      ok(configReply(await registry.setConfig(subject!, configUpdate(body)))),
    ),
    write('DELETE', '/config/:subject', async ([subject]) =>
      ok(configJson(await registry.deleteConfig(subject!))),
    ),
    get('/mode', () => ok({ mode: registry.mode(null) })),
    write('PUT', '/mode', async (_, { query, body }) =>
      ok({ mode: await registry.setMode(null, modeOf(body), flag(query, 'force')) }),
    ),
    write('DELETE', '/mode', async () => ok({ mode: await registry.deleteMode(null) })),
    get('/mode/:subject', ([subject], { query }) =>
      ok({ mode: registry.mode(subject!, flag(query, 'defaultToGlobal')) }),
    ),
    write('PUT', '/mode/:subject', async ([subject], { query, body }) =>
      ok({ mode: await registry.setMode(subject!, modeOf(body), flag(query, 'force')) }),
    ),
    write('DELETE', '/mode/:subject', async ([subject]) => ok({ mode: await registry.deleteMode(subject!) })),
  ];
}

/** `?format=serialized` turns a Protobuf schema into its base64 FileDescriptorProto. */
function inFormat(registry: SchemaRegistry, value: SchemaValue, query: URLSearchParams): SchemaValue {
  if (query.get('format') !== 'serialized' || value.schemaType !== 'PROTOBUF') return value;
  return { ...value, schema: registry.serialized(value) };
}

/** PUT /config answers with the request's shape: `compatibility`, not `compatibilityLevel`. */
function configReply(config: ConfigValue): Record<string, unknown> {
  const { compatibilityLevel, ...rest } = config;
  return { ...rest, ...(compatibilityLevel === undefined ? {} : { compatibility: compatibilityLevel }) };
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}
