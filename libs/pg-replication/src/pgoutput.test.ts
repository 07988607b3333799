import fc from 'fast-check';
import { PG_EPOCH_OFFSET_MICROS } from './pg-time';
import { decodePgoutput, PgoutputDecoder } from './pgoutput';
import { PgoutputError } from './pgoutput-error';
import { UNCHANGED_TOAST } from './pgoutput-messages';

/** Builds big-endian messages field by field, the way the walsender writes them. */
class Bytes {
  private readonly parts: Buffer[] = [];
  char(c: string): this {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  int8(n: number): this {
    this.parts.push(Buffer.from([n]));
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  int64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  text(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.char('t').int32(b.length).raw(b);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const LSN_A = 0x16b374d848n;
const LSN_B = 0x16b374d900n;
/** 2024-01-02T03:04:05.678901Z in microseconds since the Postgres epoch. */
const PG_TIME = 757_479_845_678_901n;
const UNIX_TIME = PG_TIME + PG_EPOCH_OFFSET_MICROS;

describe('decodePgoutput', () => {
  it('decodes Begin with the commit time in Unix microseconds', () => {
    const data = new Bytes().char('B').int64(LSN_A).int64(PG_TIME).uint32(0xfffffff0).build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'begin',
      finalLsn: LSN_A,
      commitTime: UNIX_TIME,
      xid: 0xfffffff0,
    });
    expect(new Date(Number(UNIX_TIME / 1000n)).toISOString()).toBe('2024-01-02T03:04:05.678Z');
  });

  it('decodes Commit', () => {
    const data = new Bytes().char('C').int8(0).int64(LSN_A).int64(LSN_B).int64(PG_TIME).build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: LSN_A,
      endLsn: LSN_B,
      commitTime: UNIX_TIME,
    });
  });

  it('decodes Origin', () => {
    const data = new Bytes().char('O').int64(LSN_A).cstring('pg_16384').build();
    expect(decodePgoutput(data)).toEqual({ tag: 'origin', originLsn: LSN_A, name: 'pg_16384' });
  });

  it('decodes Relation with key flags, types and modifiers', () => {
    const data = new Bytes()
      .char('R')
      .uint32(16_385)
      .cstring('public')
      .cstring('orders')
      .char('f')
      .int16(2)
      .int8(1)
      .cstring('id')
      .uint32(23)
      .int32(-1)
      .int8(0)
      .cstring('naïve')
      .uint32(1043)
      .int32(68)
      .build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'relation',
      relationId: 16_385,
      namespace: 'public',
      name: 'orders',
      replicaIdentity: 'f',
      columns: [
        { flags: 1, isKey: true, name: 'id', typeOid: 23, typeModifier: -1 },
        { flags: 0, isKey: false, name: 'naïve', typeOid: 1043, typeModifier: 68 },
      ],
    });
  });

  it('decodes Type', () => {
    const data = new Bytes().char('Y').uint32(16_400).cstring('public').cstring('mood').build();
    expect(decodePgoutput(data)).toEqual({ tag: 'type', typeOid: 16_400, namespace: 'public', name: 'mood' });
  });

  it('decodes Insert with every tuple column kind', () => {
    const data = new Bytes()
      .char('I')
      .uint32(16_385)
      .char('N')
      .int16(4)
      .text('kayak ⛵')
      .char('n')
      .char('u')
      .char('b')
      .int32(3)
      .raw(Buffer.from([0, 1, 255]))
      .build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'insert',
      relationId: 16_385,
      newTuple: ['kayak ⛵', null, UNCHANGED_TOAST, Buffer.from([0, 1, 255])],
    });
  });

  it('decodes Update without an old tuple, with a key tuple and with an old tuple', () => {
    const plain = new Bytes().char('U').uint32(7).char('N').int16(1).text('b').build();
    expect(decodePgoutput(plain)).toEqual({ tag: 'update', relationId: 7, newTuple: ['b'] });

    const keyed = new Bytes()
      .char('U')
      .uint32(7)
      .char('K')
      .int16(1)
      .text('1')
      .char('N')
      .int16(1)
      .text('2')
      .build();
    expect(decodePgoutput(keyed)).toEqual({ tag: 'update', relationId: 7, keyTuple: ['1'], newTuple: ['2'] });

    const full = new Bytes()
      .char('U')
      .uint32(7)
      .char('O')
      .int16(2)
      .text('1')
      .text('old')
      .char('N')
      .int16(2)
      .text('1')
      .char('u')
      .build();
    expect(decodePgoutput(full)).toEqual({
      tag: 'update',
      relationId: 7,
      oldTuple: ['1', 'old'],
      newTuple: ['1', UNCHANGED_TOAST],
    });
  });

  it('decodes Delete with a key tuple or an old tuple', () => {
    const keyed = new Bytes().char('D').uint32(7).char('K').int16(2).text('1').char('n').build();
    expect(decodePgoutput(keyed)).toEqual({ tag: 'delete', relationId: 7, keyTuple: ['1', null] });
    const full = new Bytes().char('D').uint32(7).char('O').int16(1).text('x').build();
    expect(decodePgoutput(full)).toEqual({ tag: 'delete', relationId: 7, oldTuple: ['x'] });
  });

  it('decodes Truncate with its options', () => {
    const data = new Bytes().char('T').int32(2).int8(3).uint32(10).uint32(11).build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'truncate',
      cascade: true,
      restartIdentity: true,
      relationIds: [10, 11],
    });
    const plain = new Bytes().char('T').int32(1).int8(0).uint32(10).build();
    expect(decodePgoutput(plain)).toMatchObject({
      cascade: false,
      restartIdentity: false,
      relationIds: [10],
    });
  });

  it('decodes logical decoding Messages', () => {
    const data = new Bytes()
      .char('M')
      .int8(1)
      .int64(LSN_A)
      .cstring('trunkline')
      .int32(3)
      .raw(Buffer.from('abc'))
      .build();
    expect(decodePgoutput(data)).toEqual({
      tag: 'message',
      transactional: true,
      lsn: LSN_A,
      prefix: 'trunkline',
      content: Buffer.from('abc'),
    });
  });

  it('decodes the protocol version 2 streaming messages and xids inside a stream block', () => {
    const decoder = new PgoutputDecoder();
    expect(decoder.decode(new Bytes().char('S').uint32(900).int8(1).build())).toEqual({
      tag: 'streamStart',
      xid: 900,
      firstSegment: true,
    });
    expect(decoder.decode(new Bytes().char('I').uint32(900).uint32(7).char('N').int16(0).build())).toEqual({
      tag: 'insert',
      xid: 900,
      relationId: 7,
      newTuple: [],
    });
    expect(decoder.decode(new Bytes().char('E').build())).toEqual({ tag: 'streamStop' });
    expect(decoder.decode(new Bytes().char('I').uint32(7).char('N').int16(0).build())).toEqual({
      tag: 'insert',
      relationId: 7,
      newTuple: [],
    });
    const commit = new Bytes().char('c').uint32(900).int8(0).int64(LSN_A).int64(LSN_B).int64(PG_TIME).build();
    expect(decoder.decode(commit)).toEqual({
      tag: 'streamCommit',
      xid: 900,
      flags: 0,
      commitLsn: LSN_A,
      endLsn: LSN_B,
      commitTime: UNIX_TIME,
    });
    expect(decoder.decode(new Bytes().char('A').uint32(900).uint32(901).build())).toEqual({
      tag: 'streamAbort',
      xid: 900,
      subXid: 901,
    });
  });
});

describe('malformed pgoutput', () => {
  function errorOf(data: Buffer): PgoutputError {
    try {
      decodePgoutput(data);
    } catch (error) {
      if (error instanceof PgoutputError) return error;
      throw error;
    }
    throw new Error('decoded without error');
  }

  it('says what and where', () => {
    expect(errorOf(Buffer.alloc(0))).toMatchObject({
      offset: 0,
      reason: 'message type needs 1 bytes, 0 left',
    });
    expect(errorOf(Buffer.from('Z'))).toMatchObject({ offset: 0, reason: 'unknown message type "Z"' });
    const truncated = errorOf(new Bytes().char('B').int64(LSN_A).build());
    expect(truncated).toMatchObject({ offset: 9, messageType: 'B' });
    expect(truncated.message).toBe(
      "malformed pgoutput 'B' message at byte 9: commit timestamp needs 8 bytes, 0 left",
    );
    const badKind = errorOf(new Bytes().char('I').uint32(7).char('N').int16(1).char('x').build());
    expect(badKind).toMatchObject({ offset: 8, reason: 'unknown kind "x" of column 0' });
    const badMarker = errorOf(new Bytes().char('D').uint32(7).char('N').int16(0).build());
    expect(badMarker).toMatchObject({ offset: 5, reason: `expected 'K' or 'O' tuple marker, got "N"` });
    const overLong = errorOf(new Bytes().char('I').uint32(7).char('N').int16(1).char('t').int32(10).build());
    expect(overLong.reason).toBe('text of column 0 needs 10 bytes, 0 left');
    const trailing = errorOf(new Bytes().char('E').int8(0).build());
    expect(trailing).toMatchObject({ offset: 1, reason: '1 unexpected trailing bytes' });
    const noNul = errorOf(new Bytes().char('O').int64(0n).raw(Buffer.from('abc')).build());
    expect(noNul.reason).toBe('origin name is not NUL-terminated');
    const identity = errorOf(
      new Bytes().char('R').uint32(1).cstring('s').cstring('t').char('z').int16(0).build(),
    );
    expect(identity).toMatchObject({ offset: 9, reason: 'unknown replica identity "z"' });
  });

  it('throws only PgoutputError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...'BCORYIUDTMSEcA'), fc.uint8Array({ maxLength: 64 }), (type, body) => {
        try {
          decodePgoutput(Buffer.concat([Buffer.from(type), Buffer.from(body)]));
        } catch (error) {
          expect(error).toBeInstanceOf(PgoutputError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
