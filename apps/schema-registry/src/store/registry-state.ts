import type { ConfigValue, Mode, RegistryRecord, SchemaValue } from './schema-records';

/**
 * Everything the registry knows, rebuilt by applying the `_schemas` records in order. Applying
 * the same record twice leaves the same state, so a leader may apply its own write as soon
 * as the broker acknowledged it and again when the reader reaches it.
 */
export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaValue>>();
  /** Every subject-version that carries an id; an id stays known while one of them exists. */
  private readonly byId = new Map<number, Map<string, SchemaValue>>();
  private readonly configs = new Map<string | null, ConfigValue>();
  private readonly modes = new Map<string | null, Mode>();
  private highestId = 0;
  private readonly listeners = new Set<(value: SchemaValue) => void>();

  /** The largest id ever seen, permanently deleted ones included (ids are never reused). */
  get maxId(): number {
    return this.highestId;
  }

  apply(record: RegistryRecord): void {
    switch (record.key.keytype) {
      case 'SCHEMA':
        if (record.value === null) this.removeVersion(record.key.subject, record.key.version);
        else this.putVersion(record.value as SchemaValue);
        return;
      case 'CONFIG':
        if (record.value === null) this.configs.delete(record.key.subject);
        else this.configs.set(record.key.subject, record.value as ConfigValue);
        return;
      case 'MODE':
        if (record.value === null) this.modes.delete(record.key.subject);
        else this.modes.set(record.key.subject, (record.value as { mode: Mode }).mode);
        return;
      case 'DELETE_SUBJECT': {
        const value = record.value as { version: number } | null;
        if (value === null) return;
        for (const [version, schema] of this.subjects.get(record.key.subject) ?? []) {
          if (version <= value.version && !schema.deleted) this.putVersion({ ...schema, deleted: true });
        }
        return;
      }
      case 'CLEAR_SUBJECT':
        if (record.value === null) return;
        this.configs.delete(record.key.subject);
        this.modes.delete(record.key.subject);
        return;
      default:
        return;
    }
  }

  /** Calls `listener` for every schema version put from now on (for caches of parsed schemas). */
  onVersion(listener: (value: SchemaValue) => void): void {
    this.listeners.add(listener);
  }

  subjectNames(): string[] {
    return [...this.subjects.keys()];
  }

  /** A subject's versions in ascending order, soft-deleted ones only when asked. */
  versions(subject: string, includeDeleted = false): SchemaValue[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    return includeDeleted ? versions : versions.filter((v) => !v.deleted);
  }

  version(subject: string, version: number): SchemaValue | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** Every subject-version registered with `id`, in subject then version order. */
  usesOfId(id: number): SchemaValue[] {
    return [...(this.byId.get(id)?.values() ?? [])].sort(
      (a, b) => a.subject.localeCompare(b.subject) || a.version - b.version,
    );
  }

  ids(): number[] {
    return [...this.byId.keys()].sort((a, b) => a - b);
  }

  config(subject: string | null): ConfigValue | undefined {
    return this.configs.get(subject);
  }

  mode(subject: string | null): Mode | undefined {
    return this.modes.get(subject);
  }

  /** Live subject-versions whose schema references `subject` at `version`. */
  referencedBy(subject: string, version: number): SchemaValue[] {
    const found: SchemaValue[] = [];
    for (const versions of this.subjects.values()) {
      for (const value of versions.values()) {
        if (value.deleted) continue;
        if (value.references.some((r) => r.subject === subject && r.version === version)) found.push(value);
      }
    }
    return found;
  }

  private putVersion(value: SchemaValue): void {
    let versions = this.subjects.get(value.subject);
    if (versions === undefined) {
      versions = new Map();
      this.subjects.set(value.subject, versions);
    }
    const previous = versions.get(value.version);
    if (previous !== undefined && previous.id !== value.id) this.forgetUse(previous);
    versions.set(value.version, value);
    let uses = this.byId.get(value.id);
    if (uses === undefined) {
      uses = new Map();
      this.byId.set(value.id, uses);
    }
    uses.set(useKey(value), value);
    if (value.id > this.highestId) this.highestId = value.id;
    for (const listener of this.listeners) listener(value);
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const value = versions?.get(version);
    if (versions === undefined || value === undefined) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    this.forgetUse(value);
  }

  private forgetUse(value: SchemaValue): void {
    const uses = this.byId.get(value.id);
    uses?.delete(useKey(value));
    if (uses?.size === 0) this.byId.delete(value.id);
  }
}

function useKey(value: SchemaValue): string {
  return `${value.version}\u0000${value.subject}`;
}
