import { ChangesRejected, type SinkChange, type SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';
import { actionLine, type BulkWrite, bulkOutcome, planBatch, rejectionError } from './bulk-request';

const table: SinkTable = {
  name: 'public.items',
  topic: 't',
  key: ['id'],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'title', type: 'string', nullable: true },
  ],
  schemaId: 1,
};

let offset = 0n;
function change(
  op: SinkChange['op'],
  id: number | null,
  title: string | null,
  lsn: bigint,
  tombstone = false,
): SinkChange {
  return {
    topic: 't',
    partition: 0,
    offset: offset++,
    table: 'public.items',
    key: id === null ? null : { id },
    op,
    before: null,
    after: title === null ? null : { id, title },
    lsn,
    commitTimeMs: 0,
    tombstone,
  };
}

describe('bulk requests', () => {
  it('writes the LSN as an external_gte version, digit for digit', () => {
    expect(actionLine('index', 'a', '{"id":1}', 18_446_744_073_709_551_000n)).toBe(
      '{"index":{"_index":"a","_id":"{\\"id\\":1}","version_type":"external_gte","version":18446744073709551000}}\n',
    );
    expect(() => actionLine('delete', 'a', 'x', -1n)).toThrow(TrunklineError);
  });

  it('keeps the last change of each document, and splits at truncates', () => {
    const { steps, rejected } = planBatch('alias', table, [
      change('c', 1, 'a', 10n),
      change('c', 2, 'b', 10n),
      change('u', 1, 'a2', 11n),
      change('d', 2, null, 12n),
      change('d', 2, null, 12n, true),
      change('t', null, null, 13n),
      change('c', 3, 'c', 14n),
      change('c', null, 'no key', 14n),
      change('u', 4, null, 14n),
    ]);
    expect(steps.map((s) => s.kind)).toEqual(['writes', 'truncate', 'writes']);
    const first = steps[0] as { writes: BulkWrite[] };
    expect(first.writes.map((w) => [w.id, w.change.op, w.change.lsn])).toEqual([
      ['{"id":1}', 'u', 11n],
      ['{"id":2}', 'd', 12n],
    ]);
    expect(first.writes[0]!.lines.split('\n')).toHaveLength(3); // action, document, ''
    expect(first.writes[1]!.lines).toMatch(/^\{"delete":.*"version":12\}\}\n$/);
    expect(rejected.map((r) => r.reason)).toEqual([
      'a c change without a key',
      'a u change without an after row',
    ]);
  });

  it('treats version conflicts and deletes of missing documents as done, and sorts failures', () => {
    const { steps } = planBatch('alias', table, [
      change('c', 1, 'a', 10n),
      change('d', 2, null, 10n),
      change('c', 3, 'c', 10n),
      change('c', 4, 'd', 10n),
      change('c', 5, 'e', 10n),
    ]);
    const writes = (steps[0] as { writes: BulkWrite[] }).writes;
    const outcome = bulkOutcome(writes, [
      { index: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'newer' } } },
      { delete: { status: 404, result: 'not_found' } },
      {
        index: {
          status: 400,
          error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [id]' },
        },
      },
      { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
      { index: { status: 201, result: 'created' } },
    ]);
    expect(outcome.alreadyNewer).toBe(1);
    expect(outcome.rejected.map((r) => r.id)).toEqual(['{"id":3}']);
    expect(outcome.transient.map((r) => r.id)).toEqual(['{"id":4}']);

    const retry = rejectionError('alias', outcome.transient, outcome.rejected);
    expect(retry.code).toBe(Code.Unavailable);
    expect(retry).not.toBeInstanceOf(ChangesRejected);
    const permanent = rejectionError('alias', [], outcome.rejected);
    expect(permanent).toBeInstanceOf(ChangesRejected);
    expect(permanent.code).toBe(Code.InvalidArgument);
    expect((permanent as ChangesRejected).rejected).toEqual([
      {
        change: writes[2]!.change,
        reason: 'mapper_parsing_exception: failed to parse field [id]',
      },
    ]);
    expect(permanent.message).toContain('document {"id":3}');
    expect(permanent.message).toContain('mapper_parsing_exception: failed to parse field [id]');
    expect(JSON.parse(permanent.details.rejected!)).toEqual([
      {
        topic: 't',
        partition: 0,
        offset: String(writes[2]!.change.offset),
        id: '{"id":3}',
        status: 400,
        reason: expect.any(String),
      },
    ]);
  });
});
