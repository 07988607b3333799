import * as protobuf from 'protobufjs';
import type { ResolvedReference } from './schema-types';
import { errorMessage } from './serde-errors';

/** A .proto schema parsed with its imports: the messages of its own file, in declaration order. */
export interface ProtobufSchema {
  readonly root: protobuf.Root;
  /** The file's package ('' when none). */
  readonly packageName: string;
  /** The file's top-level messages in declaration order (the first is message index [0]). */
  readonly messages: readonly protobuf.Type[];
}

/** A .proto schema or one of its imports that does not parse or names a type that is nowhere. */
export class ProtobufSchemaError extends Error {
  override readonly name = 'ProtobufSchemaError';
}

export interface ProtobufParseOptions {
  /** Keep field names as written in the .proto (default false: protobufjs turns them into camelCase). */
  readonly keepCase?: boolean;
}

/** The namespace of a package in `root` (the root itself for none). */
function packageNamespace(root: protobuf.Root, packageName: string): protobuf.Namespace | undefined {
  if (packageName === '') return root;
  const found = root.lookup(packageName);
  return found instanceof protobuf.Namespace ? found : undefined;
}

/**
 * Parses a .proto schema and, as imports named by their reference names, the schemas it
 * references (google/protobuf/* well-known files come with protobufjs), then resolves every type.
 */
export function parseProtobufSchema(
  schema: string,
  references: readonly ResolvedReference[] = [],
  options: ProtobufParseOptions = {},
): ProtobufSchema {
  const root = new protobuf.Root();
  const parseOptions = { keepCase: options.keepCase ?? false };
  const parseFile = (text: string, file: string) => {
    try {
      return protobuf.parse(text, root, parseOptions);
    } catch (error) {
      throw new ProtobufSchemaError(
        file ? `imported file "${file}": ${errorMessage(error)}` : errorMessage(error),
      );
    }
  };

  // The schema's own file goes first, so its package namespace holds only its messages, in order.
  const main = parseFile(schema, '');
  const packageName = main.package ?? '';
  const namespace = packageNamespace(root, packageName);
  const messages = (namespace?.nestedArray ?? []).filter(
    (n): n is protobuf.Type => n instanceof protobuf.Type,
  );

  const byName = new Map<string, ResolvedReference>();
  const collect = (list: readonly ResolvedReference[]) => {
    for (const reference of list) {
      if (!byName.has(reference.name)) byName.set(reference.name, reference);
      collect(reference.references);
    }
  };
  collect(references);

  const loaded = new Set<string>();
  const load = (imports: readonly string[]) => {
    for (const name of imports) {
      if (loaded.has(name)) continue;
      loaded.add(name);
      const reference = byName.get(name);
      if (reference !== undefined) {
        const file = parseFile(reference.schema, name);
        load([...(file.imports ?? []), ...(file.weakImports ?? [])]);
        continue;
      }
      const wellKnown = protobuf.common.get(name);
      if (wellKnown?.nested !== undefined) {
        root.addJSON(wellKnown.nested);
        continue;
      }
      throw new ProtobufSchemaError(
        `import "${name}" is neither a reference of the schema nor a well-known type`,
      );
    }
  };
  load([...(main.imports ?? []), ...(main.weakImports ?? [])]);

  try {
    root.resolveAll();
  } catch (error) {
    throw new ProtobufSchemaError(errorMessage(error));
  }
  return { root, packageName, messages };
}

/**
 * The Confluent message indexes of a message declared in the schema's own file: its index among
 * the file's top-level messages, then among its parent's nested messages, down to it.
 * Example: the second nested message of the first message is [0, 1].
 */
export function messageIndexesOf(schema: ProtobufSchema, type: protobuf.Type): number[] {
  const path: number[] = [];
  let current: protobuf.Type = type;
  for (;;) {
    const parent = current.parent;
    if (parent instanceof protobuf.Type) {
      path.unshift(parent.nestedArray.filter((n) => n instanceof protobuf.Type).indexOf(current));
      current = parent;
      continue;
    }
    const index = schema.messages.indexOf(current);
    if (index < 0) {
      throw new ProtobufSchemaError(
        `message ${type.fullName.slice(1)} is not declared in the schema's own file (it is imported)`,
      );
    }
    path.unshift(index);
    return path;
  }
}

/** The message at Confluent message indexes `indexes` of the schema's own file. */
export function messageAtIndexes(schema: ProtobufSchema, indexes: readonly number[]): protobuf.Type {
  let candidates: readonly protobuf.Type[] = schema.messages;
  let found: protobuf.Type | undefined;
  for (const index of indexes) {
    found = candidates[index];
    if (found === undefined) {
      throw new ProtobufSchemaError(`message indexes [${indexes.join(', ')}] name no message of the schema`);
    }
    candidates = found.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  }
  if (found === undefined) throw new ProtobufSchemaError('empty message indexes');
  return found;
}

/**
 * The message `name` names: a full name (with or without a leading dot), or a name relative to
 * the file's package such as `Order.Line`. Without a name: the file's first message.
 */
export function findMessage(schema: ProtobufSchema, name?: string): protobuf.Type {
  if (name === undefined) {
    const first = schema.messages[0];
    if (first === undefined) throw new ProtobufSchemaError('the schema declares no message');
    return first;
  }
  const candidates = name.startsWith('.')
    ? [name]
    : [schema.packageName ? `.${schema.packageName}.${name}` : `.${name}`, `.${name}`];
  for (const candidate of candidates) {
    const found = schema.root.lookup(candidate);
    if (found instanceof protobuf.Type) return found;
  }
  throw new ProtobufSchemaError(`the schema has no message ${name}`);
}
