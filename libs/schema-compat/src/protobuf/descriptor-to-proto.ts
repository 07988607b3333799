import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import {
  type DescriptorProto,
  Edition,
  type EnumDescriptorProto,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  type FieldDescriptorProto,
  FieldDescriptorProtoSchema,
  FieldDescriptorProto_Label as FieldLabel,
  FieldOptionsSchema,
  FieldDescriptorProto_Type as FieldType,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  MethodOptionsSchema,
  OneofOptionsSchema,
  type ServiceDescriptorProto,
  ServiceOptionsSchema,
} from '@bufbuild/protobuf/wkt';
import {
  defaultJsonName,
  MAX_ENUM_NUMBER,
  MAX_FIELD_NUMBER,
  quote,
  SCALAR_TYPE_NAMES,
} from './descriptor-types';
import { optionEntries } from './proto-options';

const INDENT = '  ';

/** The syntax of a file: 'proto2', 'proto3' or 'editions'. */
type Syntax = 'proto2' | 'proto3' | 'editions';

interface Printer {
  readonly syntax: Syntax;
  readonly lines: string[];
}

const statementOptions = (entries: readonly [string, string][], indent: string) =>
  entries.map(([name, value]) => `${indent}option ${name} = ${value};`);

const bracketOptions = (entries: readonly [string, string][]) =>
  entries.length === 0 ? '' : ` [${entries.map(([name, value]) => `${name} = ${value}`).join(', ')}]`;

function editionYear(edition: Edition): string {
  const name = Edition[edition] ?? '';
  return name.startsWith('EDITION_') ? name.slice('EDITION_'.length) : String(edition);
}

/** The default value as .proto text writes it; descriptors hold bytes C-escaped already. */
function printDefault(field: FieldDescriptorProto): string {
  const value = field.defaultValue;
  if (field.type === FieldType.STRING) return quote(value);
  if (field.type === FieldType.BYTES) return `"${value}"`;
  return value;
}

function fieldType(field: FieldDescriptorProto): string {
  return SCALAR_TYPE_NAMES.get(field.type) ?? field.typeName;
}

function fieldLabel(p: Printer, field: FieldDescriptorProto, inOneof: boolean): string {
  if (field.label === FieldLabel.REPEATED) return 'repeated ';
  if (inOneof) return '';
  if (p.syntax === 'proto2') return field.label === FieldLabel.REQUIRED ? 'required ' : 'optional ';
  if (p.syntax === 'proto3' && field.proto3Optional) return 'optional ';
  return '';
}

function fieldOptions(field: FieldDescriptorProto): string {
  const entries: [string, string][] = [];
  if (isFieldSet(field, FieldDescriptorProtoSchema.field.defaultValue)) {
    entries.push(['default', printDefault(field)]);
  }
  if (field.jsonName !== '' && field.jsonName !== defaultJsonName(field.name)) {
    entries.push(['json_name', quote(field.jsonName)]);
  }
  entries.push(...optionEntries(FieldOptionsSchema, field.options));
  return bracketOptions(entries);
}

/** The index of the (real, not synthetic) oneof a field belongs to. */
function oneofIndexOf(field: FieldDescriptorProto): number | undefined {
  const set = isFieldSet(field, FieldDescriptorProtoSchema.field.oneofIndex) && !field.proto3Optional;
  return set ? field.oneofIndex : undefined;
}

function printField(p: Printer, field: FieldDescriptorProto, message: DescriptorProto, indent: string): void {
  const inOneof = oneofIndexOf(field) !== undefined;
  const entry = mapEntryOf(field, message);
  if (entry) {
    const [key, value] = entry.field;
    p.lines.push(
      `${indent}map<${fieldType(key!)}, ${fieldType(value!)}> ${field.name} = ${field.number}${fieldOptions(field)};`,
    );
    return;
  }
  if (field.type === FieldType.GROUP) {
    const group = nestedByTypeName(field.typeName, message);
    if (group) {
      p.lines.push(
        `${indent}${fieldLabel(p, field, inOneof)}group ${group.name} = ${field.number}${fieldOptions(field)} {`,
      );
      printMessageBody(p, group, `${indent}${INDENT}`);
      p.lines.push(`${indent}}`);
      return;
    }
  }
  p.lines.push(
    `${indent}${fieldLabel(p, field, inOneof)}${fieldType(field)} ${field.name} = ${field.number}${fieldOptions(field)};`,
  );
}

/** The nested type a field's type_name names, when it is one of `message`'s own. */
function nestedByTypeName(typeName: string, message: DescriptorProto): DescriptorProto | undefined {
  const simple = typeName.slice(typeName.lastIndexOf('.') + 1);
  return message.nestedType.find((t) => t.name === simple && typeName.endsWith(`.${t.name}`));
}

function mapEntryOf(field: FieldDescriptorProto, message: DescriptorProto): DescriptorProto | undefined {
  if (field.label !== FieldLabel.REPEATED || field.type !== FieldType.MESSAGE) return undefined;
  const nested = nestedByTypeName(field.typeName, message);
  return nested?.options?.mapEntry && nested.field.length === 2 ? nested : undefined;
}

function printRanges(ranges: readonly { start: number; end: number }[], max: number, exclusive: boolean) {
  return ranges
    .map(({ start, end }) => {
      const last = exclusive ? end - 1 : end;
      if (last === start) return String(start);
      return `${start} to ${last >= max ? 'max' : last}`;
    })
    .join(', ');
}

function printMessageBody(p: Printer, message: DescriptorProto, indent: string): void {
  p.lines.push(...statementOptions(optionEntries(MessageOptionsSchema, message.options), indent));
  const printedOneofs = new Set<number>();
  const hidden = new Set<string>();
  for (const field of message.field) {
    const entry = mapEntryOf(field, message);
    if (entry) hidden.add(entry.name);
    if (field.type === FieldType.GROUP) {
      const group = nestedByTypeName(field.typeName, message);
      if (group) hidden.add(group.name);
    }
  }
  for (const field of message.field) {
    const index = oneofIndexOf(field);
    if (index === undefined) {
      printField(p, field, message, indent);
      continue;
    }
    if (printedOneofs.has(index)) continue;
    printedOneofs.add(index);
    const oneof = message.oneofDecl[index];
    p.lines.push(`${indent}oneof ${oneof?.name ?? `oneof_${index}`} {`);
    p.lines.push(
      ...statementOptions(optionEntries(OneofOptionsSchema, oneof?.options), `${indent}${INDENT}`),
    );
    for (const member of message.field) {
      if (oneofIndexOf(member) === index) printField(p, member, message, `${indent}${INDENT}`);
    }
    p.lines.push(`${indent}}`);
  }
  if (message.extensionRange.length > 0) {
    p.lines.push(`${indent}extensions ${printRanges(message.extensionRange, MAX_FIELD_NUMBER, true)};`);
  }
  if (message.reservedRange.length > 0) {
    p.lines.push(`${indent}reserved ${printRanges(message.reservedRange, MAX_FIELD_NUMBER, true)};`);
  }
  if (message.reservedName.length > 0) {
    p.lines.push(`${indent}reserved ${message.reservedName.map(quote).join(', ')};`);
  }
  for (const nested of message.nestedType) {
    if (!hidden.has(nested.name)) printMessage(p, nested, indent);
  }
  for (const nested of message.enumType) printEnum(p, nested, indent);
  printExtensions(p, message.extension, message, indent);
}

function printMessage(p: Printer, message: DescriptorProto, indent: string): void {
  p.lines.push(`${indent}message ${message.name} {`);
  printMessageBody(p, message, `${indent}${INDENT}`);
  p.lines.push(`${indent}}`);
}

function printExtensions(
  p: Printer,
  extensions: readonly FieldDescriptorProto[],
  scope: DescriptorProto | undefined,
  indent: string,
): void {
  const byExtendee = new Map<string, FieldDescriptorProto[]>();
  for (const field of extensions) {
    const list = byExtendee.get(field.extendee) ?? [];
    list.push(field);
    byExtendee.set(field.extendee, list);
  }
  const none = scope ?? ({ nestedType: [] } as unknown as DescriptorProto);
  for (const [extendee, fields] of byExtendee) {
    p.lines.push(`${indent}extend ${extendee} {`);
    for (const field of fields) printField(p, field, none, `${indent}${INDENT}`);
    p.lines.push(`${indent}}`);
  }
}

function printEnum(p: Printer, enumType: EnumDescriptorProto, indent: string): void {
  const inner = `${indent}${INDENT}`;
  p.lines.push(`${indent}enum ${enumType.name} {`);
  p.lines.push(...statementOptions(optionEntries(EnumOptionsSchema, enumType.options), inner));
  for (const value of enumType.value) {
    const options = bracketOptions(optionEntries(EnumValueOptionsSchema, value.options));
    p.lines.push(`${inner}${value.name} = ${value.number}${options};`);
  }
  if (enumType.reservedRange.length > 0) {
    p.lines.push(`${inner}reserved ${printRanges(enumType.reservedRange, MAX_ENUM_NUMBER, false)};`);
  }
  if (enumType.reservedName.length > 0) {
    p.lines.push(`${inner}reserved ${enumType.reservedName.map(quote).join(', ')};`);
  }
  p.lines.push(`${indent}}`);
}

function printService(p: Printer, service: ServiceDescriptorProto): void {
  p.lines.push(`service ${service.name} {`);
  p.lines.push(...statementOptions(optionEntries(ServiceOptionsSchema, service.options), INDENT));
  for (const method of service.method) {
    const input = `${method.clientStreaming ? 'stream ' : ''}${method.inputType}`;
    const output = `${method.serverStreaming ? 'stream ' : ''}${method.outputType}`;
    const options = optionEntries(MethodOptionsSchema, method.options);
    const signature = `${INDENT}rpc ${method.name} (${input}) returns (${output})`;
    if (options.length === 0) p.lines.push(`${signature};`);
    else {
      p.lines.push(`${signature} {`, ...statementOptions(options, `${INDENT}${INDENT}`), `${INDENT}}`);
    }
  }
  p.lines.push('}');
}

function syntaxOf(file: FileDescriptorProto): Syntax {
  if (file.syntax === 'proto3') return 'proto3';
  if (file.syntax === 'editions') return 'editions';
  return 'proto2';
}

/** .proto text declaring what a decoded FileDescriptorProto declares; type names fully qualified. */
export function protoTextFromFileDescriptor(file: FileDescriptorProto): string {
  const p: Printer = { syntax: syntaxOf(file), lines: [] };
  p.lines.push(
    p.syntax === 'editions' ? `edition = "${editionYear(file.edition)}";` : `syntax = "${p.syntax}";`,
  );
  if (file.package) p.lines.push(`package ${file.package};`);
  file.dependency.forEach((dependency, index) => {
    const modifier = file.publicDependency.includes(index)
      ? 'public '
      : file.weakDependency.includes(index)
        ? 'weak '
        : '';
    p.lines.push(`import ${modifier}${quote(dependency)};`);
  });
  p.lines.push(...statementOptions(optionEntries(FileOptionsSchema, file.options), ''));
  for (const message of file.messageType) printMessage(p, message, '');
  for (const enumType of file.enumType) printEnum(p, enumType, '');
  for (const service of file.service) printService(p, service);
  printExtensions(p, file.extension, undefined, '');
  return `${p.lines.join('\n')}\n`;
}

/**
 * .proto text declaring what a serialized `google.protobuf.FileDescriptorProto` declares, as
 * Confluent's registry reads the base64 form clients such as confluent-kafka-python register.
 */
export function protoTextFromDescriptor(bytes: Uint8Array): string {
  return protoTextFromFileDescriptor(fromBinary(FileDescriptorProtoSchema, bytes));
}
