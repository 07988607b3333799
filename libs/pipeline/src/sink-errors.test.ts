import { Code, TrunklineError } from '@trunkline/runtime';
import { SchemaRegistryUnavailableError } from '@trunkline/serde';
import { isTransient } from './sink-errors';

describe('isTransient', () => {
  it.each([
    ['an UNAVAILABLE error', new TrunklineError(Code.Unavailable, 'down'), true],
    ['a DEADLINE_EXCEEDED error', new TrunklineError(Code.DeadlineExceeded, 'slow'), true],
    ['an unreachable registry', new SchemaRegistryUnavailableError('no registry', 3), true],
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true],
    [
      'a refused connection underneath',
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      true,
    ],
    ['an INVALID_ARGUMENT error', new TrunklineError(Code.InvalidArgument, 'bad'), false],
    ['a plain error', new Error('bug'), false],
    ['a string', 'boom', false],
  ])('%s: %s', (_, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});
