import type { RemoteStoreConfig } from '@trunkline/log-store';
import { ConfigError } from '@trunkline/runtime';

export interface TierSettings {
  tierDir: string | undefined;
  tierS3Bucket: string | undefined;
  tierS3Endpoint: string | undefined;
  tierS3Region: string;
  tierS3Prefix: string | undefined;
  tierS3AccessKeyId: string | undefined;
  tierS3SecretAccessKey: string | undefined;
}

/** The tier the flags select, if any; a contradictory or incomplete choice stops the broker, naming the flag. */
export function tierStoreConfig(settings: TierSettings): RemoteStoreConfig | undefined {
  if (settings.tierDir !== undefined && settings.tierS3Bucket !== undefined) {
    throw new ConfigError('--tier-dir', '--tier-dir and --tier-s3-bucket both given: choose one tier');
  }
  if (settings.tierDir !== undefined) return { kind: 'folder', dir: settings.tierDir };
  const s3Only = [
    ['--tier-s3-endpoint', settings.tierS3Endpoint],
    ['--tier-s3-prefix', settings.tierS3Prefix],
    ['--tier-s3-access-key-id', settings.tierS3AccessKeyId],
    ['--tier-s3-secret-access-key', settings.tierS3SecretAccessKey],
  ] as const;
  if (settings.tierS3Bucket === undefined) {
    const stray = s3Only.find(([, value]) => value !== undefined);
    if (stray !== undefined) throw new ConfigError(stray[0], `${stray[0]} needs --tier-s3-bucket`);
    return undefined;
  }
  if ((settings.tierS3AccessKeyId === undefined) !== (settings.tierS3SecretAccessKey === undefined)) {
    const missing =
      settings.tierS3AccessKeyId === undefined ? '--tier-s3-access-key-id' : '--tier-s3-secret-access-key';
    throw new ConfigError(missing, `${missing} is missing: give both S3 keys or neither`);
  }
  if (settings.tierS3Endpoint !== undefined && !URL.canParse(settings.tierS3Endpoint)) {
    throw new ConfigError('--tier-s3-endpoint', `--tier-s3-endpoint ${settings.tierS3Endpoint} is not a URL`);
  }
  return {
    kind: 's3',
    bucket: settings.tierS3Bucket,
    region: settings.tierS3Region,
    forcePathStyle: settings.tierS3Endpoint !== undefined,
    ...(settings.tierS3Endpoint === undefined ? {} : { endpoint: settings.tierS3Endpoint }),
    ...(settings.tierS3Prefix === undefined ? {} : { prefix: settings.tierS3Prefix }),
    ...(settings.tierS3AccessKeyId === undefined ? {} : { accessKeyId: settings.tierS3AccessKeyId }),
    ...(settings.tierS3SecretAccessKey === undefined
      ? {}
      : { secretAccessKey: settings.tierS3SecretAccessKey }),
  };
}
