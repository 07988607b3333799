import { renderTable } from './table';

describe('renderTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      renderTable(
        ['SERVICE', 'LISTENS ON'],
        [
          ['broker', 'grpc 127.0.0.1:50051'],
          ['schema-registry', 'grpc 127.0.0.1:50052'],
        ],
      ),
    ).toBe(
      [
        'SERVICE          LISTENS ON',
        'broker           grpc 127.0.0.1:50051',
        'schema-registry  grpc 127.0.0.1:50052',
      ].join('\n'),
    );
  });
});
