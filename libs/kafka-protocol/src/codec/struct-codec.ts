import type { FieldSpec, PrimitiveType, StructSpec } from '../schema/fields';
import { inVersions } from '../schema/versions';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { MalformedFrameError } from './protocol-error';

type Value = unknown;
type Struct = Record<string, Value>;

interface ValueCodec {
  read(reader: ByteReader): Value;
  write(writer: ByteWriter, value: Value): void;
}

/** Reads and writes one struct at one version: the compiled form of a description. */
export interface StructCodec {
  read(reader: ByteReader): Struct;
  write(writer: ByteWriter, value: Struct): void;
  /** A struct with every field at its default, as if decoded from a version lacking them all. */
  defaults(): Struct;
}

const EMPTY = Buffer.alloc(0);
const ZERO_UUID = Buffer.alloc(16);

function defaultOf(field: FieldSpec): () => Value {
  if (field.default !== undefined) {
    const value = field.default;
    return () => value;
  }
  switch (field.kind) {
    case 'array':
      return () => [];
    case 'struct': {
      const fields = field.struct.fields.map((f) => [f.name, defaultOf(f)] as const);
      return () => Object.fromEntries(fields.map(([name, make]) => [name, make()]));
    }
    case 'primitive':
      switch (field.type) {
        case 'bool':
          return () => false;
        case 'int64':
          return () => 0n;
        case 'string':
          return () => '';
        case 'bytes':
          return () => EMPTY;
        case 'records':
          return () => null;
        case 'uuid':
          return () => ZERO_UUID;
        default:
          return () => 0;
      }
  }
}

function isDefault(value: Value, make: () => Value): boolean {
  return equalsDefault(value, make());
}

function equalsDefault(value: Value, d: Value): boolean {
  if (value === d) return true;
  if (Array.isArray(value)) return value.length === 0 && Array.isArray(d) && d.length === 0;
  if (Buffer.isBuffer(value) && Buffer.isBuffer(d)) return value.equals(d);
  // A struct (a tagged one such as CurrentLeader) is at its default when every field is.
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof d === 'object' &&
    d !== null &&
    !Buffer.isBuffer(d)
  )
    return Object.keys(d).every((k) => equalsDefault((value as Struct)[k], (d as Struct)[k]));
  return value === undefined;
}

function lengthCodec(flexible: boolean, wide: boolean) {
  // Compact lengths are stored +1 so that 0 can mean null.
  return flexible
    ? { read: (r: ByteReader) => r.uvarint() - 1, write: (w: ByteWriter, n: number) => w.uvarint(n + 1) }
    : wide
      ? { read: (r: ByteReader) => r.int32(), write: (w: ByteWriter, n: number) => w.int32(n) }
      : { read: (r: ByteReader) => r.int16(), write: (w: ByteWriter, n: number) => w.int16(n) };
}

function primitiveCodec(type: PrimitiveType, flexible: boolean, nullable: boolean, name: string): ValueCodec {
  const refuseNull = () => {
    if (!nullable) throw new TypeError(`${name} may not be null in this version`);
  };
  switch (type) {
    case 'bool':
      return { read: (r) => r.int8() !== 0, write: (w, v) => w.int8(v ? 1 : 0) };
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'uint32':
      return { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as bigint) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'uuid':
      return { read: (r) => r.bytes(16), write: (w, v) => w.bytes(v as Buffer) };
    case 'string': {
      const length = lengthCodec(flexible, false);
      return {
        read: (r) => {
          const n = length.read(r);
          if (n < 0) {
            if (!nullable) throw new MalformedFrameError(`${name}: null where a string is required`);
            return null;
          }
          return r.utf8(n);
        },
        write: (w, v) => {
          if (v === null) {
            refuseNull();
            length.write(w, -1);
            return;
          }
          const text = v as string;
          const n = Buffer.byteLength(text);
          length.write(w, n);
          w.utf8(text, n);
        },
      };
    }
    case 'bytes':
    case 'records': {
      const length = lengthCodec(flexible, true);
      return {
        read: (r) => {
          const n = length.read(r);
          if (n < 0) {
            if (!nullable) throw new MalformedFrameError(`${name}: null where bytes are required`);
            return null;
          }
          return r.bytes(n);
        },
        write: (w, v) => {
          if (v === null || v === undefined) {
            refuseNull();
            length.write(w, -1);
            return;
          }
          const bytes = v as Uint8Array;
          length.write(w, bytes.length);
          w.bytes(bytes);
        },
      };
    }
  }
}

function arrayCodec(element: ValueCodec, flexible: boolean, nullable: boolean, name: string): ValueCodec {
  const length = lengthCodec(flexible, true);
  return {
    read: (r) => {
      const n = length.read(r);
      if (n < 0) {
        if (!nullable) throw new MalformedFrameError(`${name}: null where an array is required`);
        return null;
      }
      // Every element takes at least one byte: a count beyond what is left is a lie.
      if (n > r.remaining) throw new MalformedFrameError(`${name}: ${n} elements in ${r.remaining} bytes`);
      const items = new Array<Value>(n);
      for (let i = 0; i < n; i++) items[i] = element.read(r);
      return items;
    },
    write: (w, v) => {
      if (v === null) {
        if (!nullable) throw new TypeError(`${name} may not be null in this version`);
        length.write(w, -1);
        return;
      }
      const items = (v ?? []) as Value[];
      length.write(w, items.length);
      for (const item of items) element.write(w, item);
    },
  };
}

function valueCodec(field: FieldSpec, version: number, flexible: boolean): ValueCodec {
  const nullable = inVersions(version, field.nullable);
  switch (field.kind) {
    case 'primitive':
      return primitiveCodec(field.type, flexible, nullable, field.name);
    case 'array': {
      const element =
        typeof field.element === 'string'
          ? primitiveCodec(field.element, flexible, false, `${field.name}[]`)
          : compileStruct(field.element, version, flexible);
      return arrayCodec(element, flexible, nullable, field.name);
    }
    case 'struct': {
      const struct = compileStruct(field.struct, version, flexible);
      if (!nullable) return struct as ValueCodec;
      // A nullable struct is preceded by -1 (null) or 1 (present).
      return {
        read: (r) => (r.int8() < 0 ? null : struct.read(r)),
        write: (w, v) => {
          if (v === null) w.int8(-1);
          else {
            w.int8(1);
            struct.write(w, v as Struct);
          }
        },
      };
    }
  }
}

interface CompiledField {
  name: string;
  codec: ValueCodec;
  makeDefault: () => Value;
}

interface TaggedField extends CompiledField {
  tag: number;
}

/** Compiles a struct description for one version into a reader and a writer. */
export function compileStruct(spec: StructSpec, version: number, flexible: boolean): StructCodec {
  const fixed: CompiledField[] = [];
  const tagged: TaggedField[] = [];
  const absent: { name: string; makeDefault: () => Value }[] = [];
  for (const field of spec.fields) {
    const makeDefault = defaultOf(field);
    if (!inVersions(version, field.versions)) {
      absent.push({ name: field.name, makeDefault });
    } else if (flexible && field.tag !== undefined && inVersions(version, field.taggedVersions)) {
      tagged.push({
        name: field.name,
        codec: valueCodec(field, version, flexible),
        makeDefault,
        tag: field.tag,
      });
    } else {
      fixed.push({ name: field.name, codec: valueCodec(field, version, flexible), makeDefault });
    }
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const taggedByNumber = new Map(tagged.map((t) => [t.tag, t]));
  const order = spec.fields.map((f) => f.name);

  const defaults = (): Struct => {
    const out: Struct = {};
    for (const name of order) out[name] = undefined;
    for (const f of absent) out[f.name] = f.makeDefault();
    for (const f of tagged) out[f.name] = f.makeDefault();
    for (const f of fixed) out[f.name] = f.makeDefault();
    return out;
  };

  return {
    defaults,
    read(reader) {
      const out: Struct = {};
      for (const name of order) out[name] = undefined;
      for (const f of absent) out[f.name] = f.makeDefault();
      for (const f of fixed) out[f.name] = f.codec.read(reader);
      if (flexible) {
        for (const f of tagged) out[f.name] = f.makeDefault();
        const count = reader.uvarint();
        for (let i = 0; i < count; i++) {
          const tag = reader.uvarint();
          const size = reader.uvarint();
          const known = taggedByNumber.get(tag);
          if (known === undefined) {
            reader.skip(size); // A newer peer's field: ignorable by design.
            continue;
          }
          const inner = new ByteReader(reader.bytes(size));
          out[known.name] = known.codec.read(inner);
          if (inner.remaining !== 0)
            throw new MalformedFrameError(`tagged field ${tag}: ${inner.remaining} bytes left over`);
        }
      }
      return out;
    },
    write(writer, value) {
      for (const f of fixed) {
        const v = value[f.name];
        f.codec.write(writer, v === undefined ? f.makeDefault() : v);
      }
      if (!flexible) return;
      const present = tagged.filter((f) => !isDefault(value[f.name], f.makeDefault));
      writer.uvarint(present.length);
      for (const f of present) {
        const inner = new ByteWriter(64);
        f.codec.write(inner, value[f.name]);
        writer.uvarint(f.tag);
        writer.uvarint(inner.length);
        for (const chunk of inner.finish()) writer.bytes(chunk);
      }
    },
  };
}
