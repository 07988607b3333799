import {
  CompatibilityLevel,
  Mode,
  type SchemaReference,
  type SchemaRegistryAdminService,
  SchemaType,
} from '@trunkline/contracts/schemaregistry/v1/schema_registry_admin';
import { Code, type Listener, type ServiceImpl, serviceInfo, TrunklineError } from '@trunkline/runtime';
import type { Leadership } from '../leader/leadership';
import { RegistryError } from '../registry/registry-error';
import type { VersionSpec } from '../registry/requests';
import type { SchemaRegistry } from '../registry/schema-registry';
import type { RestServer } from '../rest/rest-server';
import type { SchemaValue } from '../store/schema-records';

export interface RegistryAdminContext {
  registry: SchemaRegistry;
  /** Writes go through the REST API's executor, so a follower forwards them to the leader. */
  rest: Pick<RestServer, 'execute'>;
  leadership: Leadership;
  schemasTopic: { readonly topic: string; readonly appliedOffset: number };
  instanceId: string;
  version: string;
  startedAt: Date;
  listeners(): readonly Listener[];
}

/** Proto enum ↔ the registry's names: the enums' value names are the Confluent strings. */
const schemaTypeName = (type: SchemaType): string =>
  type === SchemaType.UNSPECIFIED ? 'AVRO' : SchemaType[type];
const schemaTypeOf = (name: string): SchemaType =>
  SchemaType[name as keyof typeof SchemaType] ?? SchemaType.UNSPECIFIED;
const levelOf = (name: string | undefined): CompatibilityLevel =>
  CompatibilityLevel[(name ?? '') as keyof typeof CompatibilityLevel] ?? CompatibilityLevel.UNSPECIFIED;
const modeOf = (name: string): Mode => Mode[name as keyof typeof Mode] ?? Mode.UNSPECIFIED;

function versionSpec(version: number): VersionSpec {
  if (version === 0 || version === -1) return 'latest';
  if (version < 1)
    throw new TrunklineError(Code.InvalidArgument, `version ${version} is not a version number`);
  return version;
}

function references(refs: readonly SchemaReference[]) {
  return refs.map(({ name, subject, version }) => ({ name, subject, version }));
}

function schemaMessage(value: SchemaValue) {
  return {
    subject: value.subject,
    version: value.version,
    id: value.id,
    schemaType: schemaTypeOf(value.schemaType),
    schema: value.schema,
    references: value.references,
    deleted: value.deleted,
  };
}

/** `/config` or `/config/<subject>` (likewise `/mode`), the subject percent-encoded. */
function path(base: string, subject: string): string {
  return subject === '' ? base : `${base}/${encodeURIComponent(subject)}`;
}

export function schemaRegistryAdmin(
  context: RegistryAdminContext,
): ServiceImpl<typeof SchemaRegistryAdminService> {
  const { registry } = context;

  /** Runs a REST write through the executor; a Confluent error body becomes a RegistryError. */
  async function write(
    method: string,
    pathAndQuery: string,
    body: unknown,
  ): Promise<Record<string, unknown>> {
    const answer = await context.rest.execute({
      method,
      url: new URL(pathAndQuery, 'http://registry'),
      body: Buffer.from(JSON.stringify(body)),
      contentType: 'application/json',
      forwarded: false,
    });
    const parsed = JSON.parse(answer.body) as Record<string, unknown>;
    if (answer.status >= 400) {
      throw new RegistryError(
        Number(parsed.error_code ?? answer.status),
        String(parsed.message ?? `HTTP ${answer.status}`),
      );
    }
    return parsed;
  }

  return {
    getRegistryInfo() {
      const leader = context.leadership.leader;
      return {
        info: serviceInfo('schema-registry', context),
        ...(leader === undefined ? {} : { leader: { instanceId: leader.instanceId, url: leader.url } }),
        isLeader: context.leadership.current?.local === true,
        subjects: registry.subjects().length,
        maxId: registry.maxId,
        schemasTopic: context.schemasTopic.topic,
        schemasOffset: BigInt(context.schemasTopic.appliedOffset),
      };
    },

    listSubjects(request) {
      return { subjects: registry.subjects({ prefix: request.prefix, deleted: request.includeDeleted }) };
    },

    listVersions(request) {
      return { versions: registry.versions(request.subject, { deleted: request.includeDeleted }) };
    },

    getSchema(request) {
      const value = registry.version(request.subject, versionSpec(request.version), request.includeDeleted);
      return { schema: schemaMessage(value) };
    },

    getSchemaById(request) {
      const value = registry.schemaById(request.id);
      return {
        id: value.id,
        schemaType: schemaTypeOf(value.schemaType),
        schema: value.schema,
        references: value.references,
        subjectVersions: registry
          .usesOfId(request.id, request.includeDeleted)
          .map(({ subject, version }) => ({ subject, version })),
      };
    },

    async registerSchema(request) {
      if (request.subject === '') throw new TrunklineError(Code.InvalidArgument, 'a subject is required');
      const answer = await write(
        'POST',
        `${path('/subjects', request.subject)}/versions${request.normalize ? '?normalize=true' : ''}`,
        {
          schema: request.schema,
          schemaType: schemaTypeName(request.schemaType),
          references: references(request.references),
        },
      );
      return { id: Number(answer.id), version: Number(answer.version) };
    },

    checkCompatibility(request) {
      const spec = request.version === 0 ? undefined : versionSpec(request.version);
      const result = registry.testCompatibility(request.subject, spec, {
        schema: request.schema,
        schemaType: schemaTypeName(request.schemaType) as SchemaValue['schemaType'],
        references: references(request.references),
      });
      return { compatible: result.compatible, messages: request.verbose ? result.messages : [] };
    },

    getCompatibility(request) {
      const config = registry.config(
        request.subject === '' ? null : request.subject,
        request.defaultToGlobal,
      );
      return { level: levelOf(config.compatibilityLevel) };
    },

    async setCompatibility(request) {
      if (request.level === CompatibilityLevel.UNSPECIFIED)
        throw new TrunklineError(Code.InvalidArgument, 'a compatibility level is required');
      const answer = await write('PUT', path('/config', request.subject), {
        compatibility: CompatibilityLevel[request.level],
      });
      return { level: levelOf(answer.compatibility as string | undefined) };
    },

    getMode(request) {
      return {
        mode: modeOf(registry.mode(request.subject === '' ? null : request.subject, request.defaultToGlobal)),
      };
    },

    async setMode(request) {
      if (request.mode === Mode.UNSPECIFIED)
        throw new TrunklineError(Code.InvalidArgument, 'a mode is required');
      const answer = await write(
        'PUT',
        `${path('/mode', request.subject)}${request.force ? '?force=true' : ''}`,
        {
          mode: Mode[request.mode],
        },
      );
      return { mode: modeOf(String(answer.mode)) };
    },
  };
}
