// Whatever bytes arrive, decoding either succeeds or fails with MalformedFrameError, which
// the broker turns into closing that one connection. Anything else would be a crash.
import fc from 'fast-check';
import { API_SPECS, apiByKey } from './apis/index';
import { messageCodec } from './codec/message-codec';
import { MalformedFrameError } from './codec/protocol-error';
import { decodeRequest, encodeRequest } from './frames';
import { parseVersions } from './schema/versions';

function decodesOrRefuses(frame: Buffer): boolean {
  try {
    decodeRequest(frame, apiByKey);
    return true;
  } catch (error) {
    if (error instanceof MalformedFrameError) return true;
    throw error;
  }
}

/** A valid request frame (without its size) for every described API and version, all fields at defaults. */
const validFrames: Buffer[] = API_SPECS.flatMap((api) => {
  const { min, max } = parseVersions(api.validVersions);
  const frames: Buffer[] = [];
  for (let version = min; version <= max; version++) {
    const body = messageCodec(api, api.request, version).defaults();
    const header = { apiKey: api.apiKey, apiVersion: version, correlationId: 1, clientId: 'fuzz' };
    frames.push(Buffer.concat(encodeRequest(api, header, body)).subarray(4));
  }
  return frames;
});

describe('decodeRequest under random and mutated input', () => {
  it('decodes every described request at every version', () => {
    for (const frame of validFrames) expect(decodeRequest(frame, apiByKey).kind).toBe('decoded');
  });

  it('never throws anything but MalformedFrameError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses(Buffer.from(bytes))),
      {
        numRuns: 5000,
      },
    );
  });

  it('never throws anything but MalformedFrameError on mutated valid frames', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validFrames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (frame, flips, cut) => {
          const mutated = Buffer.from(frame);
          for (const [at, value] of flips) mutated[at % mutated.length] = value;
          return (
            decodesOrRefuses(mutated) && decodesOrRefuses(mutated.subarray(0, cut % (mutated.length + 1)))
          );
        },
      ),
      { numRuns: 5000 },
    );
  });
});
