import {
  COMPATIBILITY_LEVELS,
  type CompatibilityLevel,
  compatibilityProblems,
  type ParsedSchema,
} from '@trunkline/schema-compat';
import type { RegistryState } from '../store/registry-state';
import {
  type ConfigValue,
  MODES,
  type Mode,
  type RegistryRecord,
  type SchemaValue,
} from '../store/schema-records';
import { type Candidate, formatOf, type ParsedSchemas } from './parsed-schemas';
import { errors } from './registry-error';
import { checkSubject, type SchemaRequest, type VersionSpec } from './requests';

/** Appends records to `_schemas` and resolves once they are applied to the state. */
export type AppendRecords = (records: readonly RegistryRecord[]) => Promise<number>;

export interface RegistryOptions {
  defaultCompatibility: CompatibilityLevel;
}

export interface RegisteredSchema {
  id: number;
  version: number;
  value: SchemaValue;
}

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

/**
 * The registry's operations with Confluent's semantics. Reads answer from the state; writes
 * (leader only: the caller forwards otherwise) run one at a time, so ids and versions are
 * assigned from a state that includes every earlier write.
 */
export class SchemaRegistry {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: RegistryState,
    private readonly parsed: ParsedSchemas,
    private readonly append: AppendRecords,
    private readonly options: RegistryOptions,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Reads

  /** The largest schema id assigned so far. */
  get maxId(): number {
    return this.state.maxId;
  }

  subjects(filter: { prefix?: string; deleted?: boolean; deletedOnly?: boolean } = {}): string[] {
    const prefix = filter.prefix === undefined || filter.prefix === ':*:' ? '' : filter.prefix;
    return this.state
      .subjectNames()
      .filter((subject) => subject.startsWith(prefix))
      .filter((subject) => {
        const all = this.state.versions(subject, true);
        const live = all.some((v) => !v.deleted);
        if (filter.deletedOnly) return !live && all.length > 0;
        return live || (filter.deleted === true && all.length > 0);
      })
      .sort();
  }

  versions(subject: string, filter: { deleted?: boolean; deletedOnly?: boolean } = {}): number[] {
    const all = this.state.versions(subject, true);
    const chosen = filter.deletedOnly
      ? all.filter((v) => v.deleted)
      : filter.deleted
        ? all
        : all.filter((v) => !v.deleted);
    if (chosen.length === 0 && (filter.deletedOnly ? all.length === 0 : true))
      throw errors.subjectNotFound(subject);
    return chosen.map((v) => v.version);
  }

  version(subject: string, spec: VersionSpec, includeDeleted = false): SchemaValue {
    const all = this.state.versions(subject, true);
    const visible = includeDeleted ? all : all.filter((v) => !v.deleted);
    if (visible.length === 0) throw errors.subjectNotFound(subject);
    const found = spec === 'latest' ? visible.at(-1) : visible.find((v) => v.version === spec);
    if (found === undefined) throw errors.versionNotFound(subject, spec);
    return found;
  }

  schemaById(id: number): SchemaValue {
    const use = this.state.usesOfId(id)[0];
    if (use === undefined) throw errors.schemaNotFound(`Schema ${id} not found`);
    return use;
  }

  /** A Protobuf schema as base64 of its serialized FileDescriptorProto. */
  serialized(value: SchemaValue): string {
    return this.parsed.serialized(value);
  }

  /** Subject-versions using an id; soft-deleted ones only when asked. */
  usesOfId(id: number, includeDeleted = false): SchemaValue[] {
    const uses = this.state.usesOfId(id);
    if (uses.length === 0) throw errors.schemaNotFound(`Schema ${id} not found`);
    return includeDeleted ? uses : uses.filter((u) => !u.deleted);
  }

  referencedBy(subject: string, spec: VersionSpec): number[] {
    const target = this.version(subject, spec, true);
    return [...new Set(this.state.referencedBy(subject, target.version).map((v) => v.id))].sort(
      (a, b) => a - b,
    );
  }

  /** Every schema, optionally only each subject's latest; for GET /schemas. */
  schemas(filter: { prefix?: string; deleted?: boolean; latestOnly?: boolean }): SchemaValue[] {
    const out: SchemaValue[] = [];
    for (const subject of this.subjects({ prefix: filter.prefix, deleted: filter.deleted })) {
      const versions = this.state.versions(subject, filter.deleted === true);
      out.push(...(filter.latestOnly ? versions.slice(-1) : versions));
    }
    return out;
  }

  /** The version of `subject` whose schema is `request`'s (POST /subjects/{subject}). */
  lookup(subject: string, request: SchemaRequest, options: { deleted?: boolean } = {}): SchemaValue {
    const all = this.state.versions(subject, true);
    if (all.length === 0 || (!options.deleted && all.every((v) => v.deleted)))
      throw errors.subjectNotFound(subject);
    const candidate = this.parsed.parse(request.schemaType, request.schema, request.references);
    const match = this.matching(subject, candidate, options.deleted === true);
    if (match === undefined) throw errors.schemaNotFound('Schema not found');
    return match;
  }

  compatibilityLevel(subject: string | null): CompatibilityLevel {
    const level =
      (subject === null ? undefined : this.state.config(subject)?.compatibilityLevel) ??
      this.state.config(null)?.compatibilityLevel ??
      this.options.defaultCompatibility;
    return (COMPATIBILITY_LEVELS as readonly string[]).includes(level)
      ? (level as CompatibilityLevel)
      : this.options.defaultCompatibility;
  }

  /** A subject's or the global config; a subject without its own gets 40408 unless defaultToGlobal. */
  config(subject: string | null, defaultToGlobal = false): ConfigValue {
    if (subject !== null) {
      const own = this.state.config(subject);
      if (own !== undefined) return own;
      if (!defaultToGlobal) throw errors.subjectCompatibilityNotConfigured(subject);
    }
    const global = this.state.config(null);
    return { ...global, compatibilityLevel: global?.compatibilityLevel ?? this.options.defaultCompatibility };
  }

  mode(subject: string | null, defaultToGlobal = false): Mode {
    if (subject !== null) {
      const own = this.state.mode(subject);
      if (own !== undefined) return own;
      if (!defaultToGlobal) throw errors.subjectModeNotConfigured(subject);
    }
    return this.state.mode(null) ?? 'READWRITE';
  }

  /** POST /compatibility/subjects/{subject}/versions[/{version}] */
  testCompatibility(
    subject: string,
    spec: VersionSpec | undefined,
    request: SchemaRequest,
  ): CompatibilityResult {
    const candidate = this.parsed.parse(request.schemaType, request.schema, request.references);
    const level = this.compatibilityLevel(subject);
    let previous: SchemaValue[];
    if (spec === undefined) previous = this.state.versions(subject);
    else previous = [this.version(subject, spec)];
    const messages = this.problems(candidate, level, previous);
    return { compatible: messages.length === 0, messages };
  }

  contexts(): string[] {
    const contexts = new Set(['.']);
    for (const subject of this.state.subjectNames()) {
      const match = /^:(\.[^:]*):/.exec(subject);
      if (match) contexts.add(match[1]!);
    }
    return [...contexts].sort();
  }

  // ---------------------------------------------------------------------------------------
  // Writes (leader only)

  register(
    subject: string,
    request: SchemaRequest,
    options: { normalize?: boolean } = {},
  ): Promise<RegisteredSchema> {
    return this.serially(async () => {
      checkSubject(subject);
      const mode = this.mode(subject, true);
      if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
        throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      const importing = mode === 'IMPORT';
      if (!importing && request.id !== undefined)
        throw errors.operationNotPermitted('A schema id can only be given in IMPORT mode');
      const candidate = this.parsed.parse(request.schemaType, request.schema, request.references);
      const normalize =
        options.normalize ?? this.state.config(subject)?.normalize ?? this.state.config(null)?.normalize;
      const existing = this.matching(subject, candidate, false);
      if (existing !== undefined && (request.id === undefined || request.id === existing.id))
        return { id: existing.id, version: existing.version, value: existing };

      const all = this.state.versions(subject, true);
      const latestVersion = all.at(-1)?.version ?? 0;
      let id: number;
      let version: number;
      if (importing && request.id !== undefined) {
        const holder = this.state.usesOfId(request.id)[0];
        if (holder !== undefined && this.parsed.stored(holder)?.fingerprint !== candidate.fingerprint)
          throw errors.idDoesNotMatch(
            `Schema already registered with id ${request.id} for different content (subject '${holder.subject}' version ${holder.version})`,
          );
        id = request.id;
        version = request.version ?? latestVersion + 1;
        if (this.state.version(subject, version) !== undefined)
          throw errors.operationNotPermitted(`Subject '${subject}' already has version ${version}`);
      } else {
        if (!importing) {
          const problems = this.problems(
            candidate,
            this.compatibilityLevel(subject),
            this.state.versions(subject),
          );
          if (problems.length > 0) throw errors.incompatibleSchema(subject, problems);
        }
        id = this.parsed.idOf(candidate) ?? this.state.maxId + 1;
        version = latestVersion + 1;
      }
      const value: SchemaValue = {
        subject,
        version,
        id,
        schemaType: candidate.type,
        references: candidate.references,
        schema: normalize ? candidate.parsed.canonical : request.schema,
        deleted: false,
      };
      await this.append([{ key: { keytype: 'SCHEMA', subject, version }, value }]);
      return { id, version, value };
    });
  }

  /** Soft (or, after that, permanent) delete of every version; resolves with the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.serially(async () => {
      this.checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) throw errors.subjectSoftDeleted(subject);
        for (const value of live) this.checkNotReferenced(value);
        const latest = all.at(-1)!.version;
        await this.append([
          ...live.map((value) => schemaRecord({ ...value, deleted: true })),
          { key: { keytype: 'DELETE_SUBJECT', subject }, value: { subject, version: latest } },
        ]);
        return live.map((v) => v.version);
      }
      if (live.length > 0) throw errors.subjectNotSoftDeleted(subject);
      for (const value of all) this.checkNotReferenced(value);
      await this.append([
        ...all.map((value) => ({
          key: { keytype: 'SCHEMA' as const, subject, version: value.version },
          value: null,
        })),
        { key: { keytype: 'CLEAR_SUBJECT', subject }, value: { subject } },
      ]);
      return all.map((v) => v.version);
    });
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.serially(async () => {
      this.checkWritable(subject);
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const value =
        spec === 'latest'
          ? (permanent ? all : all.filter((v) => !v.deleted)).at(-1)
          : all.find((v) => v.version === spec);
      if (value === undefined) throw errors.versionNotFound(subject, spec);
      this.checkNotReferenced(value);
      if (!permanent) {
        if (value.deleted) throw errors.versionSoftDeleted(subject, value.version);
        await this.append([schemaRecord({ ...value, deleted: true })]);
      } else {
        if (!value.deleted) throw errors.versionNotSoftDeleted(subject, value.version);
        await this.append([{ key: { keytype: 'SCHEMA', subject, version: value.version }, value: null }]);
      }
      return value.version;
    });
  }

  setConfig(subject: string | null, update: ConfigValue): Promise<ConfigValue> {
    return this.serially(async () => {
      if (subject !== null) checkSubject(subject);
      const value: ConfigValue = { ...(this.state.config(subject) ?? {}), ...update };
      await this.append([{ key: { keytype: 'CONFIG', subject }, value }]);
      return value;
    });
  }

  /** Removes a subject's (or resets the global) config; resolves with what it was. */
  deleteConfig(subject: string | null): Promise<ConfigValue> {
    return this.serially(async () => {
      const previous = subject === null ? this.config(null) : this.state.config(subject);
      if (previous === undefined) {
        if (subject !== null && this.state.versions(subject, true).length === 0)
          throw errors.subjectNotFound(subject);
        throw errors.subjectCompatibilityNotConfigured(subject as string);
      }
      await this.append([{ key: { keytype: 'CONFIG', subject }, value: null }]);
      return previous;
    });
  }

  setMode(subject: string | null, mode: string, force: boolean): Promise<Mode> {
    return this.serially(async () => {
      if (subject !== null) checkSubject(subject);
      const upper = mode.toUpperCase() as Mode;
      if (!MODES.includes(upper)) throw errors.invalidMode();
      if (upper === 'IMPORT' && !force) {
        const populated =
          subject === null ? this.subjects().length > 0 : this.state.versions(subject).length > 0;
        if (populated && this.mode(subject, true) !== 'IMPORT')
          throw errors.operationNotPermitted('Cannot import since found existing subjects');
      }
      await this.append([{ key: { keytype: 'MODE', subject }, value: { mode: upper } }]);
      return upper;
    });
  }

  deleteMode(subject: string | null): Promise<Mode> {
    return this.serially(async () => {
      const previous = subject === null ? this.mode(null) : this.state.mode(subject);
      if (previous === undefined) throw errors.subjectModeNotConfigured(subject as string);
      await this.append([{ key: { keytype: 'MODE', subject }, value: null }]);
      return previous;
    });
  }

  // ---------------------------------------------------------------------------------------

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work, work);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private checkWritable(subject: string): void {
    const mode = this.mode(subject, true);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
      throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  }

  private checkNotReferenced(value: SchemaValue): void {
    const referrers = this.state.referencedBy(value.subject, value.version);
    if (referrers.length > 0) {
      const names = referrers.map((r) => `${r.subject} version ${r.version}`).join(', ');
      throw errors.referenceExists(
        `One or more references exist to the schema {subject=${value.subject},version=${value.version}}: ${names}`,
      );
    }
  }

  private matching(subject: string, candidate: Candidate, includeDeleted: boolean): SchemaValue | undefined {
    return this.state
      .versions(subject, includeDeleted)
      .find((value) => this.parsed.stored(value)?.fingerprint === candidate.fingerprint);
  }

  private problems(
    candidate: Candidate,
    level: CompatibilityLevel,
    previous: readonly SchemaValue[],
  ): string[] {
    const sameType: ParsedSchema[] = [];
    const messages: string[] = [];
    const considered = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
    for (const value of considered) {
      if (value.schemaType !== candidate.type) {
        if (level !== 'NONE')
          messages.push(`version ${value.version} is ${value.schemaType}, not ${candidate.type}`);
        continue;
      }
      const stored = this.parsed.stored(value);
      if (stored !== undefined) sameType.push(stored.parsed);
    }
    return [
      ...messages,
      ...compatibilityProblems(formatOf(candidate.type), level, candidate.parsed, sameType),
    ];
  }
}

function schemaRecord(value: SchemaValue): RegistryRecord {
  return { key: { keytype: 'SCHEMA', subject: value.subject, version: value.version }, value };
}
