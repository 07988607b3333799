import { PG_EPOCH_OFFSET_MICROS } from './pg-time';
import { PgoutputError } from './pgoutput-error';
import { decodeServerCopyData, encodeStandbyStatus, frameCopyData } from './replication-messages';

describe('replication messages', () => {
  it('decodes XLogData and leaves the pgoutput payload as is', () => {
    const payload = Buffer.from(
      '77' + '0000000100000010' + '0000000100000020' + '0000000000000064' + '45',
      'hex',
    );
    expect(decodeServerCopyData(payload)).toEqual({
      type: 'xlogData',
      walStart: 0x100000010n,
      walEnd: 0x100000020n,
      serverClock: 100n + PG_EPOCH_OFFSET_MICROS,
      data: Buffer.from('E'),
    });
  });

  it('decodes a primary keepalive', () => {
    const payload = Buffer.from('6b' + '00000000000000ff' + '0000000000000001' + '01', 'hex');
    expect(decodeServerCopyData(payload)).toEqual({
      type: 'keepalive',
      walEnd: 255n,
      serverClock: 1n + PG_EPOCH_OFFSET_MICROS,
      replyRequested: true,
    });
  });

  it('rejects unknown and truncated messages', () => {
    expect(() => decodeServerCopyData(Buffer.from('x'))).toThrow(PgoutputError);
    expect(() => decodeServerCopyData(Buffer.from('6b00', 'hex'))).toThrow(
      "malformed pgoutput 'k' message at byte 1: WAL end needs 8 bytes, 1 left",
    );
  });

  it('encodes a standby status update as golden bytes', () => {
    const payload = encodeStandbyStatus({
      written: 0x16b374d848n,
      flushed: 0x16b374d848n,
      applied: 0x16b374d848n,
      clock: PG_EPOCH_OFFSET_MICROS + 2n,
      replyRequested: false,
    });
    expect(payload.toString('hex')).toBe(`72${'00000016b374d848'.repeat(3)}000000000000000200`);
  });

  it('frames CopyData', () => {
    expect(frameCopyData(Buffer.from('ab')).toString('hex')).toBe('64000000066162');
  });
});
