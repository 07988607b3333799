import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import {
  type DescriptorProto,
  DescriptorProto_ExtensionRangeSchema,
  DescriptorProto_ReservedRangeSchema,
  DescriptorProtoSchema,
  Edition,
  type EnumDescriptorProto,
  EnumDescriptorProtoSchema,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  FieldDescriptorProtoSchema,
  FieldDescriptorProto_Label as FieldLabel,
  FieldOptionsSchema,
  FieldDescriptorProto_Type as FieldType,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  MethodOptionsSchema,
  OneofOptionsSchema,
  type ServiceDescriptorProto,
  ServiceDescriptorProtoSchema,
  ServiceOptionsSchema,
} from '@bufbuild/protobuf/wkt';
import * as protobuf from 'protobufjs';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format';
import {
  defaultJsonName,
  MAX_ENUM_NUMBER,
  MAX_FIELD_NUMBER,
  mapEntryName,
  SCALAR_TYPES,
} from './descriptor-types';
import { optionsFromProtobufjs } from './proto-options';
import { loadProtoFile, syntaxOf, type TypeOrigin } from './protobuf-format';

/** Field options protobufjs keeps that the descriptor holds elsewhere. */
const FIELD_NOT_OPTIONS = ['default', 'json_name', 'proto3_optional'];

interface ImportStatement {
  readonly path: string;
  readonly modifier: 'public' | 'weak' | undefined;
}

/** What protobufjs does not keep of a file's top-level statements. */
interface FileStatements {
  /** The import statements in order (protobufjs does not tell public imports apart). */
  readonly imports: ImportStatement[];
  /** Editions `option features.<name> = <value>;` of the file (protobufjs copies them onto each type). */
  readonly features: Record<string, string>;
}

/** The file's import statements and editions feature options, read from its tokens. */
export function fileStatements(text: string): FileStatements {
  const tokenizer = protobuf.tokenize(text, false);
  const imports: ImportStatement[] = [];
  const features: Record<string, string> = {};
  let depth = 0;
  let previous: string | undefined;
  let quote: string | undefined;
  let pendingImport: { modifier: ImportStatement['modifier'] } | undefined;
  let pendingFeature: string | undefined;
  for (let token = tokenizer.next(); token !== null; token = tokenizer.next()) {
    if (token === '"' || token === "'") {
      quote = quote === undefined ? token : undefined;
      continue;
    }
    if (quote !== undefined) {
      if (pendingImport) imports.push({ path: token, modifier: pendingImport.modifier });
      pendingImport = undefined;
      continue;
    }
    const statementStart = depth === 0 && (previous === undefined || previous === ';' || previous === '}');
    if (token === '{') depth++;
    else if (token === '}') depth--;
    else if (statementStart && token === 'import') pendingImport = { modifier: undefined };
    else if (pendingImport && (token === 'public' || token === 'weak')) pendingImport.modifier = token;
    else if (previous === 'option' && depth === 0 && token.startsWith('features.')) pendingFeature = token;
    else if (pendingFeature !== undefined && token !== '=') {
      features[pendingFeature] = token;
      pendingFeature = undefined;
    }
    previous = token;
  }
  return { imports, features };
}

/** Turns the resolved protobufjs reflection of one file into descriptor messages. */
class DescriptorBuilder {
  constructor(
    private readonly origins: ReadonlyMap<protobuf.ReflectionObject, TypeOrigin>,
    private readonly proto3: boolean,
  ) {}

  isOwn(object: protobuf.ReflectionObject): boolean {
    return this.origins.get(object)?.file === '';
  }

  fieldType(
    field: protobuf.Field | protobuf.MapField,
    typeName: string,
    resolved: protobuf.ReflectionObject | null,
  ) {
    const scalar = SCALAR_TYPES.get(typeName);
    if (scalar !== undefined && !resolved) return { type: scalar };
    if (resolved instanceof protobuf.Enum) return { type: FieldType.ENUM, typeName: resolved.fullName };
    if (resolved instanceof protobuf.Type) {
      const group = (resolved as protobuf.Type & { group?: boolean }).group === true;
      return { type: group ? FieldType.GROUP : FieldType.MESSAGE, typeName: resolved.fullName };
    }
    throw new InvalidSchemaError(`field ${field.fullName}: unresolved type ${typeName}`);
  }

  defaultValue(field: protobuf.Field, type: FieldType): string | undefined {
    const value: unknown = field.options?.default;
    if (value === undefined) return undefined;
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return 'nan';
      if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
      return String(value);
    }
    if (type === FieldType.BYTES && typeof value === 'string') return cEscape(value);
    return String(value);
  }

  field(
    field: protobuf.Field,
    oneofIndex: number | undefined,
  ): MessageInitShape<typeof FieldDescriptorProtoSchema> {
    const typeInfo =
      field instanceof protobuf.MapField
        ? { type: FieldType.MESSAGE, typeName: `${field.parent?.fullName}.${mapEntryName(field.name)}` }
        : this.fieldType(field, field.type, field.resolvedType);
    const jsonName = field.options?.json_name;
    const init: MessageInitShape<typeof FieldDescriptorProtoSchema> = {
      name: field.name,
      number: field.id,
      label:
        field.repeated || field instanceof protobuf.MapField
          ? FieldLabel.REPEATED
          : field.required
            ? FieldLabel.REQUIRED
            : FieldLabel.OPTIONAL,
      ...typeInfo,
      jsonName: typeof jsonName === 'string' ? jsonName : defaultJsonName(field.name),
    };
    const defaultValue = this.defaultValue(field, typeInfo.type);
    if (defaultValue !== undefined) init.defaultValue = defaultValue;
    if (oneofIndex !== undefined) init.oneofIndex = oneofIndex;
    if (this.proto3 && field.options?.proto3_optional === true) init.proto3Optional = true;
    const options = optionsFromProtobufjs(FieldOptionsSchema, field.options, FIELD_NOT_OPTIONS);
    if (options) init.options = options;
    if (field.extend !== undefined) {
      const extended = field.parent?.lookup(field.extend);
      init.extendee = extended?.fullName ?? field.extend;
    }
    return init;
  }

  mapEntry(field: protobuf.MapField): DescriptorProto {
    const key = SCALAR_TYPES.get(field.keyType);
    if (key === undefined)
      throw new InvalidSchemaError(`field ${field.fullName}: invalid map key type ${field.keyType}`);
    const value = this.fieldType(field, field.type, field.resolvedType);
    const entry = (name: string, number: number, type: { type: FieldType; typeName?: string }) => ({
      name,
      number,
      label: FieldLabel.OPTIONAL,
      ...type,
      jsonName: name,
    });
    return create(DescriptorProtoSchema, {
      name: mapEntryName(field.name),
      field: [entry('key', 1, { type: key }), entry('value', 2, value)],
      options: { mapEntry: true },
    });
  }

  message(type: protobuf.Type): DescriptorProto {
    // Real oneofs first, then the synthetic ones of proto3 `optional` fields, as protoc orders them.
    const synthetic = (oneof: protobuf.OneOf) =>
      oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.proto3_optional === true;
    const oneofs = [
      ...type.oneofsArray.filter((o) => !synthetic(o)),
      ...type.oneofsArray.filter((o) => synthetic(o)),
    ];
    const message = create(DescriptorProtoSchema, {
      name: type.name,
      oneofDecl: oneofs.map((oneof) => ({
        name: oneof.name,
        options: optionsFromProtobufjs(OneofOptionsSchema, oneof.options),
      })),
      options: optionsFromProtobufjs(MessageOptionsSchema, type.options),
    });
    const mapEntries: DescriptorProto[] = [];
    for (const field of type.fieldsArray) {
      if (field.declaringField || field.name.startsWith('.')) continue; // another file's extension
      const index = field.partOf ? oneofs.indexOf(field.partOf) : -1;
      message.field.push(
        create(FieldDescriptorProtoSchema, this.field(field, index < 0 ? undefined : index)),
      );
      if (field instanceof protobuf.MapField) mapEntries.push(this.mapEntry(field));
    }
    // Declared types, then group bodies, then map entries: an order .proto text printed from the
    // descriptor parses back to.
    const isGroup = (nested: protobuf.ReflectionObject) =>
      nested instanceof protobuf.Type && (nested as protobuf.Type & { group?: boolean }).group === true;
    for (const nested of type.nestedArray) if (!isGroup(nested)) this.addNested(nested, message);
    for (const nested of type.nestedArray) if (isGroup(nested)) this.addNested(nested, message);
    message.nestedType.push(...mapEntries);
    for (const range of type.extensions ?? []) {
      const [start = 0, end = start] = range;
      message.extensionRange.push(
        create(DescriptorProto_ExtensionRangeSchema, { start, end: Math.min(end, MAX_FIELD_NUMBER) + 1 }),
      );
    }
    for (const reserved of type.reserved ?? []) {
      if (typeof reserved === 'string') message.reservedName.push(reserved);
      else {
        const [start = 0, end = start] = reserved;
        message.reservedRange.push(
          create(DescriptorProto_ReservedRangeSchema, { start, end: Math.min(end, MAX_FIELD_NUMBER) + 1 }),
        );
      }
    }
    return message;
  }

  addNested(nested: protobuf.ReflectionObject, into: DescriptorProto): void {
    if (nested instanceof protobuf.Type) into.nestedType.push(this.message(nested));
    else if (nested instanceof protobuf.Enum) into.enumType.push(this.enum(nested));
    else if (nested instanceof protobuf.Field && nested.extend !== undefined) {
      into.extension.push(create(FieldDescriptorProtoSchema, this.field(nested, undefined)));
    }
  }

  enum(enumType: protobuf.Enum): EnumDescriptorProto {
    const valuesOptions = (
      enumType as protobuf.Enum & { valuesOptions?: Record<string, Record<string, unknown>> }
    ).valuesOptions;
    return create(EnumDescriptorProtoSchema, {
      name: enumType.name,
      value: Object.entries(enumType.values).map(([name, number]) => ({
        name,
        number,
        options: optionsFromProtobufjs(EnumValueOptionsSchema, valuesOptions?.[name]),
      })),
      options: optionsFromProtobufjs(EnumOptionsSchema, enumType.options),
      reservedRange: (enumType.reserved ?? [])
        .filter((r): r is number[] => typeof r !== 'string')
        .map(([start = 0, end = start]) => ({
          start,
          end: end === MAX_FIELD_NUMBER ? MAX_ENUM_NUMBER : end,
        })),
      reservedName: (enumType.reserved ?? []).filter((r): r is string => typeof r === 'string'),
    });
  }

  service(service: protobuf.Service): ServiceDescriptorProto {
    return create(ServiceDescriptorProtoSchema, {
      name: service.name,
      method: service.methodsArray.map((method) => ({
        name: method.name,
        inputType: method.resolvedRequestType?.fullName ?? method.requestType,
        outputType: method.resolvedResponseType?.fullName ?? method.responseType,
        ...(method.requestStream ? { clientStreaming: true } : {}),
        ...(method.responseStream ? { serverStreaming: true } : {}),
        options: optionsFromProtobufjs(MethodOptionsSchema, method.options),
      })),
      options: optionsFromProtobufjs(ServiceOptionsSchema, service.options),
    });
  }
}

/** A string as C-escaped text, the form descriptors hold bytes default values in. */
function cEscape(value: string): string {
  let result = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === '"' || char === "'") result += `\\${char}`;
    else if (char === '\n') result += '\\n';
    else if (char === '\r') result += '\\r';
    else if (char === '\t') result += '\\t';
    else if (code < 0x20 || code >= 0x7f) result += `\\${(code & 0xff).toString(8).padStart(3, '0')}`;
    else result += char;
  }
  return result;
}

/** Removes from protobufjs options the file features it copied there (flat or nested under `features`). */
function dropInheritedFeatures(options: Record<string, unknown>, features: Readonly<Record<string, string>>) {
  const nested = options.features;
  for (const [name, value] of Object.entries(features)) {
    if (options[name] === value) delete options[name];
    const feature = name.slice('features.'.length);
    if (
      typeof nested === 'object' &&
      nested !== null &&
      (nested as Record<string, unknown>)[feature] === value
    ) {
      delete (nested as Record<string, unknown>)[feature];
    }
  }
  if (typeof nested === 'object' && nested !== null && Object.keys(nested).length === 0)
    delete options.features;
}

function editionOf(syntax: string): Edition | undefined {
  const year = syntax.startsWith('edition ') ? syntax.slice('edition '.length) : undefined;
  if (year === undefined) return undefined;
  const edition = (Edition as unknown as Record<string, Edition | undefined>)[`EDITION_${year}`];
  if (edition === undefined) throw new InvalidSchemaError(`unsupported edition "${year}"`);
  return edition;
}

/**
 * The serialized `google.protobuf.FileDescriptorProto` of a .proto file, as protoc would build it
 * and as Confluent's registry returns it for `?format=serialized`: the file's own declarations
 * only, type names fully qualified, `dependency` the import paths as the text writes them (the
 * names of the references the importing side registered). `fileName` becomes the file's `name`.
 * Throws InvalidSchemaError when the text (or a reference) does not parse or resolve.
 */
export function descriptorFromProtoText(
  text: string,
  references: readonly ResolvedReference[],
  fileName: string,
): Uint8Array {
  const { root, packageName, origins, fileOptions } = loadProtoFile(text, references);
  const syntax = syntaxOf(text);
  const edition = editionOf(syntax);
  const builder = new DescriptorBuilder(origins, syntax === 'proto3');
  const { imports, features } = fileStatements(text);
  const file = create(FileDescriptorProtoSchema, {
    name: fileName,
    dependency: imports.map((i) => i.path),
    publicDependency: imports.flatMap((i, index) => (i.modifier === 'public' ? [index] : [])),
    weakDependency: imports.flatMap((i, index) => (i.modifier === 'weak' ? [index] : [])),
    options: optionsFromProtobufjs(FileOptionsSchema, { ...fileOptions, ...features }),
  });
  if (packageName) file.package = packageName;
  if (syntax === 'proto3') file.syntax = 'proto3';
  if (edition !== undefined) {
    file.syntax = 'editions';
    file.edition = edition;
  }
  const scope = packageName ? root.lookup(packageName) : root;
  const holder = create(DescriptorProtoSchema);
  for (const nested of scope instanceof protobuf.Namespace ? scope.nestedArray : []) {
    if (!builder.isOwn(nested)) continue;
    // The file's features are the file's, not copies on each of its top-level declarations.
    if (nested.options) dropInheritedFeatures(nested.options, features);
    if (nested instanceof protobuf.Service) file.service.push(builder.service(nested));
    else builder.addNested(nested, holder);
  }
  file.messageType = holder.nestedType;
  file.enumType = holder.enumType;
  file.extension = holder.extension;
  return toBinary(FileDescriptorProtoSchema, file);
}
