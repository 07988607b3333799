import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { LogBoundary, type OffsetSpec, OffsetSpecSchema } from '@trunkline/contracts';
import { UsageError } from '../command';

export const OFFSET_SPEC_HELP = 'earliest, latest, offset:N or timestamp:ISO-8601';

/** Parses earliest | latest | offset:N | timestamp:2026-01-01T00:00:00Z. */
export function parseOffsetSpec(text: string, flag: string): OffsetSpec {
  if (text === 'earliest')
    return create(OffsetSpecSchema, { spec: { case: 'boundary', value: LogBoundary.EARLIEST } });
  if (text === 'latest')
    return create(OffsetSpecSchema, { spec: { case: 'boundary', value: LogBoundary.LATEST } });
  if (/^offset:\d+$/.test(text))
    return create(OffsetSpecSchema, { spec: { case: 'offset', value: BigInt(text.slice(7)) } });
  if (text.startsWith('timestamp:')) {
    const ms = Date.parse(text.slice(10));
    if (!Number.isNaN(ms))
      return create(OffsetSpecSchema, { spec: { case: 'timestamp', value: timestampFromMs(ms) } });
  }
  throw new UsageError(`${flag} "${text}" is invalid: expected ${OFFSET_SPEC_HELP}`);
}
