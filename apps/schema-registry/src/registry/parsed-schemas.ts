import {
  avroFormat,
  descriptorFromProtoText,
  InvalidSchemaError,
  jsonSchemaFormat,
  type ParsedSchema,
  protobufFormat,
  type ResolvedReference,
  type SchemaFormat,
  type SchemaType,
} from '@trunkline/schema-compat';
import type { RegistryState } from '../store/registry-state';
import type { SchemaReference, SchemaValue } from '../store/schema-records';
import { errors } from './registry-error';

export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

const FORMATS: Record<SchemaType, SchemaFormat> = {
  AVRO: avroFormat as SchemaFormat,
  PROTOBUF: protobufFormat as SchemaFormat,
  JSON: jsonSchemaFormat as SchemaFormat,
};

export function formatOf(type: SchemaType): SchemaFormat {
  return FORMATS[type];
}

/** A schema as parsed with its references, and the key that identifies its content. */
export interface Candidate {
  type: SchemaType;
  parsed: ParsedSchema;
  references: SchemaReference[];
  /** Equal for schemas the registry treats as the same (one id): type, canonical text, references. */
  fingerprint: string;
}

/**
 * Parses schemas with their references resolved from the registry, and remembers parsed
 * stored schemas by id (an id's content never changes). Also finds the id already given to
 * a schema's content, so registering it under another subject reuses that id.
 */
export class ParsedSchemas {
  private readonly byId = new Map<number, Candidate | null>();
  private contentIndex: Map<string, number> | undefined;

  constructor(private readonly state: RegistryState) {
    state.onVersion((value) => {
      if (this.contentIndex === undefined) return;
      const candidate = this.stored(value);
      if (candidate !== undefined && !this.contentIndex.has(candidate.fingerprint))
        this.contentIndex.set(candidate.fingerprint, value.id);
    });
  }

  /** Parses text sent by a client; throws 42201 saying what is wrong. */
  parse(type: SchemaType, text: string, references: readonly SchemaReference[]): Candidate {
    const resolved = references.map((r) => this.resolve(r, new Set()));
    let parsed: ParsedSchema;
    try {
      parsed = FORMATS[type].parse(text, resolved);
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw errors.invalidSchema(error.message);
      throw errors.invalidSchema((error as Error).message);
    }
    const pinned = resolved.map(({ name, subject, version }) => ({ name, subject, version }));
    return { type, parsed, references: pinned, fingerprint: fingerprintOf(type, parsed, pinned) };
  }

  /**
   * A stored Protobuf schema as a serialized FileDescriptorProto in base64, the form
   * `?format=serialized` asks for (confluent-kafka-python reads schemas so).
   */
  serialized(value: SchemaValue): string {
    const resolved = value.references.map((r) => this.resolve(r, new Set()));
    try {
      return Buffer.from(descriptorFromProtoText(value.schema, resolved, 'default')).toString('base64');
    } catch (error) {
      throw errors.invalidSchema(`schema ${value.id} has no serialized form: ${(error as Error).message}`);
    }
  }

  /** The stored version's schema, parsed; undefined if it no longer parses (a reference was deleted). */
  stored(value: SchemaValue): Candidate | undefined {
    let candidate = this.byId.get(value.id);
    if (candidate === undefined) {
      try {
        candidate = this.parse(value.schemaType, value.schema, value.references);
      } catch {
        candidate = null;
      }
      this.byId.set(value.id, candidate);
    }
    return candidate ?? undefined;
  }

  /** The id already given to this content, if any. */
  idOf(candidate: Candidate): number | undefined {
    if (this.contentIndex === undefined) {
      const index = new Map<string, number>();
      for (const id of this.state.ids()) {
        const use = this.state.usesOfId(id)[0];
        const stored = use === undefined ? undefined : this.stored(use);
        if (stored !== undefined && !index.has(stored.fingerprint)) index.set(stored.fingerprint, id);
      }
      this.contentIndex = index;
    }
    const id = this.contentIndex.get(candidate.fingerprint);
    // A permanently deleted id is not reused for new registrations of its content.
    return id !== undefined && this.state.usesOfId(id).length > 0 ? id : undefined;
  }

  private resolve(reference: SchemaReference, seen: Set<string>): ResolvedReference {
    const { name, subject, version } = reference;
    if (typeof name !== 'string' || typeof subject !== 'string' || !Number.isInteger(version))
      throw errors.invalidSchema('each reference needs a name, a subject and a version');
    const target =
      version === -1 ? this.state.versions(subject).at(-1) : this.state.version(subject, version);
    if (target === undefined || target.deleted)
      throw errors.invalidSchema(
        `reference ${name} names subject '${subject}' version ${version}, which does not exist`,
      );
    const key = `${subject}\u0000${target.version}`;
    if (seen.has(key)) throw errors.invalidSchema(`reference ${name} is circular`);
    return {
      name,
      subject,
      version: target.version,
      schema: target.schema,
      references: target.references.map((r) => this.resolve(r, new Set([...seen, key]))),
    };
  }
}

function fingerprintOf(
  type: SchemaType,
  parsed: ParsedSchema,
  references: readonly SchemaReference[],
): string {
  const refs = references.map((r) => `${r.name}\u0001${r.subject}\u0001${r.version}`).join('\u0002');
  return `${type}\u0000${parsed.canonical}\u0000${refs}`;
}
