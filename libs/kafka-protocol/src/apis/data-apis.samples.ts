import type { FieldSpec, PrimitiveType, StructSpec } from '../schema/fields';
import type { ApiSpec } from '../schema/message';
import { inVersions } from '../schema/versions';

/**
 * Deterministic sample messages for golden tests: `full` gives every field of the version a
 * value other than its default (so that tagged fields are sent, and nullable ones are not
 * null), `nulls` makes every nullable field null and every array empty, `defaults` gives every
 * field its default (so that no tagged field is sent) and every array of structs one element.
 */
export type SampleVariant = 'full' | 'nulls' | 'defaults';

export function sampleMessage(
  api: ApiSpec,
  kind: 'request' | 'response',
  version: number,
  variant: SampleVariant,
): Record<string, unknown> {
  const counter = { n: 0 };
  return sampleStruct(api[kind], version, variant, counter);
}

function sampleStruct(
  spec: StructSpec,
  version: number,
  variant: SampleVariant,
  counter: { n: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (inVersions(version, f.versions)) out[f.name] = sampleField(f, version, variant, counter);
  }
  return out;
}

function sampleField(f: FieldSpec, version: number, variant: SampleVariant, counter: { n: number }): unknown {
  if (variant === 'defaults') return defaultField(f, version, counter);
  const nullable = inVersions(version, f.nullable);
  if (variant === 'nulls' && nullable) return null;
  switch (f.kind) {
    case 'array': {
      if (variant === 'nulls') return [];
      const length = 2;
      return Array.from({ length }, () =>
        typeof f.element === 'string'
          ? samplePrimitive(f.element, counter)
          : sampleStruct(f.element, version, variant, counter),
      );
    }
    case 'struct':
      return sampleStruct(f.struct, version, variant, counter);
    case 'primitive':
      return samplePrimitive(f.type, counter);
  }
}

function defaultField(f: FieldSpec, version: number, counter: { n: number }): unknown {
  if (f.default !== undefined) return f.default;
  switch (f.kind) {
    case 'array':
      return typeof f.element === 'string' ? [] : [sampleStruct(f.element, version, 'defaults', counter)];
    case 'struct':
      return sampleStruct(f.struct, version, 'defaults', counter);
    case 'primitive':
      return ZERO[f.type];
  }
}

const ZERO: Record<PrimitiveType, unknown> = {
  bool: false,
  int8: 0,
  int16: 0,
  uint16: 0,
  int32: 0,
  uint32: 0,
  int64: 0n,
  float64: 0,
  string: '',
  bytes: Buffer.alloc(0),
  records: null,
  uuid: Buffer.alloc(16),
};

function samplePrimitive(type: PrimitiveType, counter: { n: number }): unknown {
  const n = ++counter.n;
  switch (type) {
    case 'bool':
      return true;
    case 'int8':
      return n % 100;
    case 'int16':
    case 'uint16':
      return 100 + n;
    case 'int32':
    case 'uint32':
      return 100_000 + n;
    case 'int64':
      return 10_000_000_000n + BigInt(n);
    case 'float64':
      return n + 0.5;
    case 'string':
      return `s${n}`;
    case 'uuid':
      return Buffer.alloc(16, n);
    case 'bytes':
    case 'records':
      return Buffer.from([n, n + 1, n + 2]);
  }
}
