import { ConfigError } from '@trunkline/runtime';
import { type TierSettings, tierStoreConfig } from './tier-config';

const none: TierSettings = {
  tierDir: undefined,
  tierS3Bucket: undefined,
  tierS3Endpoint: undefined,
  tierS3Region: 'us-east-1',
  tierS3Prefix: undefined,
  tierS3AccessKeyId: undefined,
  tierS3SecretAccessKey: undefined,
};

function refusal(settings: Partial<TierSettings>): ConfigError {
  try {
    tierStoreConfig({ ...none, ...settings });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('tierStoreConfig', () => {
  it('selects no tier, a folder, or S3', () => {
    expect(tierStoreConfig(none)).toBeUndefined();
    expect(tierStoreConfig({ ...none, tierDir: '/tier' })).toEqual({ kind: 'folder', dir: '/tier' });
    expect(
      tierStoreConfig({
        ...none,
        tierS3Bucket: 'b',
        tierS3Endpoint: 'http://127.0.0.1:9000',
        tierS3AccessKeyId: 'k',
        tierS3SecretAccessKey: 's',
      }),
    ).toEqual({
      kind: 's3',
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      accessKeyId: 'k',
      secretAccessKey: 's',
    });
  });

  it.each([
    [{ tierDir: '/t', tierS3Bucket: 'b' }, '--tier-dir', /both given/],
    [{ tierS3Endpoint: 'http://x' }, '--tier-s3-endpoint', /needs --tier-s3-bucket/],
    [{ tierS3Bucket: 'b', tierS3AccessKeyId: 'k' }, '--tier-s3-secret-access-key', /give both S3 keys/],
    [{ tierS3Bucket: 'b', tierS3Endpoint: 'not a url' }, '--tier-s3-endpoint', /is not a URL/],
  ])('refuses %p, naming %s', (settings, flag, message) => {
    const error = refusal(settings);
    expect(error.setting).toBe(flag);
    expect(error.message).toMatch(message);
  });
});
