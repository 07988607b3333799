import { readFileSync } from 'node:fs';
import {
  CheckCompatibilityResponseSchema,
  CompatibilityLevel,
  GetCompatibilityResponseSchema,
  GetModeResponseSchema,
  GetSchemaByIdResponseSchema,
  GetSchemaResponseSchema,
  ListSubjectsResponseSchema,
  ListVersionsResponseSchema,
  Mode,
  RegisterSchemaResponseSchema,
  type SchemaReference,
  SchemaType,
} from '@trunkline/contracts/schemaregistry/v1/schema_registry_admin';
import { type SettingsSpec, setting, settingsHelp } from '@trunkline/runtime';
import {
  parseFlags,
  printJson,
  registryAdminSettings,
  single,
  verbCommand,
  withRegistry,
} from '../admin/admin-command';
import { UsageError } from '../command';
import { renderTable } from '../table';

const listSettings = {
  prefix: setting.text({ describe: 'only subjects whose name starts with this' }),
  deleted: setting.toggle({ describe: 'include soft-deleted subjects or versions', default: false }),
};
const schemaSettings = {
  file: setting.text({ describe: 'file holding the schema text', required: true }),
  type: setting.text({ describe: 'schema type: AVRO, PROTOBUF or JSON', default: 'AVRO' }),
  reference: setting.text({ describe: 'references, name=subject:version,name=subject:version' }),
};
const registerSettings = {
  ...schemaSettings,
  normalize: setting.toggle({ describe: 'store the schema in its canonical form', default: false }),
};
const checkSettings = {
  ...schemaSettings,
  version: setting.integer({
    describe: 'test against this version only (default: as the compatibility level says)',
    min: 1,
  }),
};
const compatibilitySettings = {
  set: setting.text({
    describe: 'set the level: NONE, BACKWARD, FORWARD, FULL, or one of those _TRANSITIVE',
  }),
};
const modeSettings = {
  set: setting.text({ describe: 'set the mode: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT' }),
  force: setting.toggle({ describe: 'enter IMPORT even though schemas are registered', default: false }),
};

const HELP = `Usage: trunkline schemas <verb> [arguments] [flags]

Verbs:
  subjects                       registered subjects
  versions <subject>             a subject's versions
  get <subject> [version]        one version of a subject (default: the latest)
  get-id <id>                    the schema with a global id, and the subject-versions using it
  register <subject>             register the schema in --file
  check <subject>                test the schema in --file against the subject (exit 1: incompatible)
  compatibility [subject]        the global (or a subject's) compatibility level; --set changes it
  mode [subject]                 the global (or a subject's) mode; --set changes it

Flags of every verb:
${settingsHelp(registryAdminSettings)}

subjects, versions, get, get-id (--prefix: subjects only):
${settingsHelp(listSettings)}

register:
${settingsHelp(registerSettings)}

check:
${settingsHelp(checkSettings)}

compatibility:
${settingsHelp(compatibilitySettings)}

mode:
${settingsHelp(modeSettings)}
`;

function flags<S extends SettingsSpec>(spec: S, raw: readonly string[]) {
  return parseFlags({ ...registryAdminSettings, ...spec }, raw);
}

/** A proto enum value from its name, case-insensitively; UNSPECIFIED is not a choice. */
function enumValue<E extends Record<string, string | number>>(
  values: E,
  raw: string,
  flag: string,
): E[keyof E] {
  const name = raw.toUpperCase();
  const value = values[name as keyof E];
  if (typeof value !== 'number' || name === 'UNSPECIFIED') {
    const choices = Object.keys(values).filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED');
    throw new UsageError(`${flag} takes one of ${choices.join(', ')}, got "${raw}"`);
  }
  return value;
}

/** `name=subject:version,...` → references */
function parseReferences(text: string | undefined): Omit<SchemaReference, '$typeName'>[] {
  if (text === undefined || text === '') return [];
  return text.split(',').map((item) => {
    const match = /^([^=]+)=(.+):(\d+)$/.exec(item);
    if (match === null)
      throw new UsageError(`--reference takes name=subject:version separated by commas, got "${item}"`);
    return { name: match[1]!, subject: match[2]!, version: Number(match[3]) };
  });
}

function readSchema(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --file ${file}: ${(error as Error).message}`);
  }
}

/** The schema text, type and references a register or check sends. */
function schemaInput(config: { file: string; type: string; reference: string | undefined }) {
  return {
    schema: readSchema(config.file),
    schemaType: enumValue(SchemaType, config.type, '--type'),
    references: parseReferences(config.reference),
  };
}

function optionalSubject(positional: readonly string[], usage: string): string {
  if (positional.length > 1) throw new UsageError(usage);
  return positional[0] ?? '';
}

function positiveInteger(raw: string, what: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > 2147483647)
    throw new UsageError(`${what} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function describeSchema(fields: {
  header: [string, string][];
  references: readonly SchemaReference[];
  schema: string;
}): string {
  const references = fields.references.map((r) => `${r.name}=${r.subject}:${r.version}`).join(', ');
  const header = [...fields.header, ...(references === '' ? [] : [['references', references]])];
  return `${header.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${fields.schema}`;
}

export const schemasCommand = verbCommand(
  'schemas',
  'list, read, register and check schemas; compatibility levels and modes',
  HELP,
  {
    subjects: async (positional, raw) => {
      if (positional.length > 0) throw new UsageError('schemas subjects takes no arguments');
      const config = flags(listSettings, raw);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.listSubjects({ prefix: config.prefix ?? '', includeDeleted: config.deleted }),
      );
      if (config.json) printJson(ListSubjectsResponseSchema, response);
      else if (response.subjects.length > 0) write(response.subjects.join('\n'));
      return 0;
    },
    versions: async (positional, raw) => {
      const subject = single(positional, 'schemas versions takes one subject');
      const config = flags(listSettings, raw);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.listVersions({ subject, includeDeleted: config.deleted }),
      );
      if (config.json) printJson(ListVersionsResponseSchema, response);
      else write(response.versions.join('\n'));
      return 0;
    },
    get: async (positional, raw) => {
      if (positional.length < 1 || positional.length > 2)
        throw new UsageError('schemas get takes a subject and optionally a version');
      const [subject, version] = positional as [string, string | undefined];
      const config = flags(listSettings, raw);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.getSchema({
          subject,
          version: version === undefined || version === 'latest' ? 0 : positiveInteger(version, 'version'),
          includeDeleted: config.deleted,
        }),
      );
      if (config.json) {
        printJson(GetSchemaResponseSchema, response);
        return 0;
      }
      const schema = response.schema!;
      write(
        describeSchema({
          header: [
            ['subject', schema.subject],
            ['version', String(schema.version)],
            ['id', String(schema.id)],
            ['type', SchemaType[schema.schemaType]],
            ...(schema.deleted ? [['deleted', 'yes'] as [string, string]] : []),
          ],
          references: schema.references,
          schema: schema.schema,
        }),
      );
      return 0;
    },
    'get-id': async (positional, raw) => {
      const id = positiveInteger(single(positional, 'schemas get-id takes one schema id'), 'a schema id');
      const config = flags(listSettings, raw);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.getSchemaById({ id, includeDeleted: config.deleted }),
      );
      if (config.json) {
        printJson(GetSchemaByIdResponseSchema, response);
        return 0;
      }
      write(
        describeSchema({
          header: [
            ['id', String(response.id)],
            ['type', SchemaType[response.schemaType]],
            ['used by', response.subjectVersions.map((u) => `${u.subject}:${u.version}`).join(', ')],
          ],
          references: response.references,
          schema: response.schema,
        }),
      );
      return 0;
    },
    register: async (positional, raw) => {
      const subject = single(positional, 'schemas register takes one subject');
      const config = flags(registerSettings, raw);
      const input = schemaInput(config);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.registerSchema({ subject, ...input, normalize: config.normalize }),
      );
      if (config.json) printJson(RegisterSchemaResponseSchema, response);
      else write(`registered: ${subject} version ${response.version} (id ${response.id})`);
      return 0;
    },
    check: async (positional, raw) => {
      const subject = single(positional, 'schemas check takes one subject');
      const config = flags(checkSettings, raw);
      const input = schemaInput(config);
      const response = await withRegistry(config.registryAdmin, (c) =>
        c.checkCompatibility({ subject, ...input, version: config.version ?? 0, verbose: true }),
      );
      if (config.json) printJson(CheckCompatibilityResponseSchema, response);
      else if (response.compatible) write(`compatible with ${subject}`);
      else write(`incompatible with ${subject}:\n${response.messages.map((m) => `  - ${m}`).join('\n')}`);
      return response.compatible ? 0 : 1;
    },
    compatibility: async (positional, raw) => {
      const subject = optionalSubject(positional, 'schemas compatibility takes at most one subject');
      const config = flags(compatibilitySettings, raw);
      const level = config.set === undefined ? undefined : enumValue(CompatibilityLevel, config.set, '--set');
      const inForce = await withRegistry(config.registryAdmin, async (c) =>
        level === undefined
          ? (await c.getCompatibility({ subject, defaultToGlobal: true })).level
          : (await c.setCompatibility({ subject, level })).level,
      );
      if (config.json)
        printJson(GetCompatibilityResponseSchema, {
          $typeName: 'trunkline.schemaregistry.v1.GetCompatibilityResponse',
          level: inForce,
        });
      else
        write(
          renderTable(
            ['SUBJECT', 'COMPATIBILITY'],
            [[subject === '' ? '(global)' : subject, CompatibilityLevel[inForce] ?? String(inForce)]],
          ),
        );
      return 0;
    },
    mode: async (positional, raw) => {
      const subject = optionalSubject(positional, 'schemas mode takes at most one subject');
      const config = flags(modeSettings, raw);
      const mode = config.set === undefined ? undefined : enumValue(Mode, config.set, '--set');
      const inForce = await withRegistry(config.registryAdmin, async (c) =>
        mode === undefined
          ? (await c.getMode({ subject, defaultToGlobal: true })).mode
          : (await c.setMode({ subject, mode, force: config.force })).mode,
      );
      if (config.json)
        printJson(GetModeResponseSchema, {
          $typeName: 'trunkline.schemaregistry.v1.GetModeResponse',
          mode: inForce,
        });
      else
        write(
          renderTable(
            ['SUBJECT', 'MODE'],
            [[subject === '' ? '(global)' : subject, Mode[inForce] ?? String(inForce)]],
          ),
        );
      return 0;
    },
  },
);
