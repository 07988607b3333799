/**
 * Avro binary encoding compiled from a schema into closures that write into one reusable
 * buffer, for the change events' hot path: avsc spent most of the snapshot's encoding time on
 * bigint longs (through a Buffer per value), union branch lookups and copies (its own buffer,
 * then the Confluent frame). The bytes are the same as avsc's for the same schema and value
 * (the tests compare them), and values are checked as avsc checks them: a value the schema
 * cannot hold throws. Schemas with anything not below (maps, enums, fixed, unions other than
 * null + one type) are not compiled: the caller uses avsc for those.
 */

type Write = (out: Output, value: unknown) => void;

/** Bytes of fresh buffer taken at a time; values are cut from it, one after the other. */
const SLAB_BYTES = 64 * 1024;

/**
 * Where values are written: a slab that values are cut from (each a view of its own bytes, never
 * written again), so a value needs no copy of its own. When a value outgrows what is left, its
 * bytes so far move to a new, larger slab.
 */
class Output {
  buf = Buffer.allocUnsafe(SLAB_BYTES);
  pos = 0;
  /** Where the value being written starts. */
  start = 0;
  /** Bytes dropped from the front by moves to a new slab: `moved + pos` is a stable position. */
  moved = 0;

  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const used = this.pos - this.start;
    const bigger = Buffer.allocUnsafe(Math.max(SLAB_BYTES, (used + bytes) * 2));
    this.buf.copy(bigger, 0, this.start, this.pos);
    this.moved += this.start;
    this.buf = bigger;
    this.start = 0;
    this.pos = used;
  }

  /** Starts a value, on a fresh slab when little is left of this one. */
  begin(): void {
    if (this.buf.length - this.pos < 1024) {
      this.moved += this.pos;
      this.buf = Buffer.allocUnsafe(SLAB_BYTES);
      this.pos = 0;
    }
    this.start = this.pos;
  }

  /** The value written since `begin`. */
  end(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }
}

export class AvroValueError extends Error {
  override readonly name = 'AvroValueError';
}

class Unsupported extends Error {}

function invalid(value: unknown, type: string): never {
  const shown = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  throw new AvroValueError(`invalid ${type}: ${shown?.slice(0, 200)}`);
}

/** Zig-zag varint of a safe integer (|n| < 2^52, so 2n + 1 is still exact). */
function writeNumberLong(out: Output, n: number): void {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const buf = out.buf;
  let pos = out.pos;
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  out.pos = pos;
}

const EXACT = 2n ** 52n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function writeLong(out: Output, value: unknown): void {
  if (typeof value !== 'bigint') invalid(value, 'long');
  out.room(10);
  // Nearly every long (ids, timestamps, LSNs) is within ±2^52: a double does it exactly.
  if (value > -EXACT && value < EXACT) {
    writeNumberLong(out, Number(value));
    return;
  }
  if (value < INT64_MIN || value > INT64_MAX) invalid(value, 'long');
  let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const buf = out.buf;
  while (z >= 0x80n) {
    buf[out.pos++] = Number(z & 0x7fn) | 0x80;
    z >>= 7n;
  }
  buf[out.pos++] = Number(z);
}

function writeInt(out: Output, value: unknown): void {
  if (value !== ((value as number) | 0)) invalid(value, 'int');
  out.room(5);
  let z = (((value as number) << 1) ^ ((value as number) >> 31)) >>> 0;
  const buf = out.buf;
  while (z >= 0x80) {
    buf[out.pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[out.pos++] = z;
}

/** A length or count (never negative, below 2^31). */
function writeLength(out: Output, n: number): void {
  out.room(5);
  writeNumberLong(out, n);
}

function writeString(out: Output, value: unknown): void {
  if (typeof value !== 'string') invalid(value, 'string');
  const length = value.length;
  if (length < 0x40) {
    // Short: copied char by char while ASCII (cheaper than a call into Buffer#write), its
    // length one byte; anything else goes through Buffer#write below.
    out.room(1 + length);
    const buf = out.buf;
    const start = out.pos + 1;
    let i = 0;
    for (; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === length) {
      buf[out.pos] = length * 2;
      out.pos = start + length;
      return;
    }
  }
  if (length * 3 < 0x40) {
    // Short, not ASCII: however many bytes, the length still takes one byte.
    out.room(1 + length * 3);
    const written = out.buf.write(value, out.pos + 1, length * 3, 'utf8');
    out.buf[out.pos] = written * 2;
    out.pos += 1 + written;
    return;
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  writeLength(out, bytes);
  out.room(bytes);
  out.pos += out.buf.write(value, out.pos, bytes, 'utf8');
}

function writeBytes(out: Output, value: unknown): void {
  if (!Buffer.isBuffer(value)) invalid(value, 'bytes');
  writeLength(out, value.length);
  out.room(value.length);
  value.copy(out.buf, out.pos);
  out.pos += value.length;
}

function writeBoolean(out: Output, value: unknown): void {
  if (typeof value !== 'boolean') invalid(value, 'boolean');
  out.room(1);
  out.buf[out.pos++] = value ? 1 : 0;
}

function writeNull(_out: Output, value: unknown): void {
  if (value !== null) invalid(value, 'null');
}

function writeFloat(out: Output, value: unknown): void {
  if (typeof value !== 'number') invalid(value, 'float');
  out.room(4);
  out.pos = out.buf.writeFloatLE(value, out.pos);
}

function writeDouble(out: Output, value: unknown): void {
  if (typeof value !== 'number') invalid(value, 'double');
  out.room(8);
  out.pos = out.buf.writeDoubleLE(value, out.pos);
}

const PRIMITIVES: Record<string, Write> = {
  null: writeNull,
  boolean: writeBoolean,
  int: writeInt,
  long: writeLong,
  float: writeFloat,
  double: writeDouble,
  bytes: writeBytes,
  string: writeString,
};

interface Context {
  /** Named types by full name; a slot is filled once its record is compiled. */
  named: Map<string, { write: Write }>;
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

function compile(schema: unknown, namespace: string | undefined, context: Context): Write {
  if (typeof schema === 'string') {
    const primitive = PRIMITIVES[schema];
    if (primitive !== undefined) return primitive;
    const slot = context.named.get(fullName(schema, namespace)) ?? context.named.get(schema);
    if (slot === undefined) throw new Unsupported(`unknown type ${schema}`);
    return (out, value) => slot.write(out, value);
  }
  if (Array.isArray(schema)) return compileUnion(schema, namespace, context);
  if (typeof schema !== 'object' || schema === null) throw new Unsupported('not a schema');
  const { type } = schema as { type: unknown };
  // Logical types are written as their underlying type: the values already have that form.
  if (typeof type === 'string' && PRIMITIVES[type] !== undefined) return PRIMITIVES[type]!;
  if (type === 'array') {
    const items = compile((schema as { items: unknown }).items, namespace, context);
    return (out, value) => {
      if (!Array.isArray(value)) invalid(value, 'array');
      if (value.length > 0) {
        writeLength(out, value.length);
        for (const item of value) items(out, item);
      }
      writeLength(out, 0);
    };
  }
  if (type === 'record') return compileRecord(schema as RecordSchema, namespace, context);
  throw new Unsupported(`type ${JSON.stringify(type)}`);
}

/** `["null", T]` or `[T, "null"]`, as avsc's unwrapped unions write them. */
function compileUnion(branches: unknown[], namespace: string | undefined, context: Context): Write {
  const nullIndex = branches.indexOf('null');
  if (branches.length !== 2 || nullIndex < 0) throw new Unsupported('a union other than null + one type');
  const otherIndex = 1 - nullIndex;
  const other = compile(branches[otherIndex], namespace, context);
  return (out, value) => {
    out.room(1);
    if (value === null) {
      out.buf[out.pos++] = nullIndex * 2;
      return;
    }
    if (value === undefined) invalid(value, 'union');
    out.buf[out.pos++] = otherIndex * 2;
    other(out, value);
  };
}

interface RecordSchema {
  name: string;
  namespace?: string;
  fields: { name: string; type: unknown; default?: unknown }[];
}

function compileRecord(schema: RecordSchema, enclosing: string | undefined, context: Context): Write {
  const name = fullName(schema.name, schema.namespace ?? enclosing);
  const namespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
  const slot: { write: Write } = {
    write: () => {
      throw new Unsupported(`record ${name} used before it is defined`);
    },
  };
  context.named.set(name, slot);
  const fields = schema.fields.map((field) => {
    const write = compile(field.type, namespace, context);
    return { name: field.name, write, fallback: defaultBytes(field, namespace, context) };
  });
  // A frozen record of immutable values (no bytes, arrays or records, which freezing does not
  // reach) cannot change, so its bytes can be kept: the snapshot's rows share one frozen
  // `source` block, written once instead of once per row.
  const cacheable = schema.fields.every((field) => isImmutable(field.type));
  let frozen: { value: object; bytes: Buffer } | undefined;
  const writeFields = (out: Output, record: Record<string, unknown>) => {
    for (const field of fields) {
      const fieldValue = record[field.name];
      if (fieldValue === undefined && field.fallback !== undefined) {
        out.room(field.fallback.length);
        field.fallback.copy(out.buf, out.pos);
        out.pos += field.fallback.length;
      } else {
        field.write(out, fieldValue);
      }
    }
  };
  slot.write = (out, value) => {
    if (typeof value !== 'object' || value === null) invalid(value, `record ${name}`);
    if (!cacheable || !Object.isFrozen(value)) {
      writeFields(out, value as Record<string, unknown>);
      return;
    }
    if (frozen?.value !== value) {
      const start = out.moved + out.pos;
      writeFields(out, value as Record<string, unknown>);
      frozen = { value, bytes: Buffer.from(out.buf.subarray(start - out.moved, out.pos)) };
      return;
    }
    out.room(frozen.bytes.length);
    frozen.bytes.copy(out.buf, out.pos);
    out.pos += frozen.bytes.length;
  };
  return slot.write;
}

const IMMUTABLE = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string']);

function isImmutable(type: unknown): boolean {
  if (typeof type === 'string') return IMMUTABLE.has(type);
  if (Array.isArray(type)) return type.every(isImmutable);
  return typeof type === 'object' && type !== null && IMMUTABLE.has((type as { type: string }).type);
}

/** A field's default as bytes (an absent value is written as it, as avsc does), if it has one. */
function defaultBytes(
  field: RecordSchema['fields'][number],
  namespace: string | undefined,
  context: Context,
): Buffer | undefined {
  if (!('default' in field)) return undefined;
  // A union's default is a value of its first branch.
  const branches = Array.isArray(field.type) ? field.type : [field.type];
  const first = branches[0];
  const kind = typeof first === 'string' ? first : (first as { type?: unknown })?.type;
  let value = field.default;
  if (kind === 'long' && typeof value === 'number') value = BigInt(value);
  else if (kind !== 'null' && kind !== 'string' && kind !== 'int' && kind !== 'boolean' && kind !== 'double')
    throw new Unsupported(`a default of type ${String(kind)}`);
  const out = new Output();
  out.begin();
  if (Array.isArray(field.type)) {
    writeLength(out, 0);
    if (kind !== 'null') compile(first, namespace, context)(out, value);
  } else {
    compile(field.type, namespace, context)(out, value);
  }
  return Buffer.from(out.end());
}

/**
 * A writer for values of `schema` that returns `prefix` followed by the value's Avro bytes
 * (the prefix is the Confluent frame), or undefined when the schema uses a type not compiled here.
 */
export function compileAvroWriter(schema: unknown, prefix: Buffer): ((value: unknown) => Buffer) | undefined {
  let write: Write;
  try {
    write = compile(schema, undefined, { named: new Map() });
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  const out = new Output();
  return (value) => {
    out.begin();
    out.room(prefix.length);
    prefix.copy(out.buf, out.pos);
    out.pos += prefix.length;
    try {
      write(out, value);
    } catch (error) {
      // Nothing of a refused value is kept: the next one starts where it started.
      out.pos = out.start;
      throw error;
    }
    return out.end();
  };
}
