import type { EngineEnv } from '@trunkline/engines';

/** Broker flags that tier to the s3 engine under `prefix`, so runs never share objects. */
export function s3TierFlags(env: EngineEnv, prefix: string): string[] {
  return [
    '--tier-s3-bucket',
    env.S3_BUCKET!,
    '--tier-s3-endpoint',
    env.S3_ENDPOINT!,
    '--tier-s3-region',
    env.S3_REGION ?? 'us-east-1',
    '--tier-s3-access-key-id',
    env.S3_ACCESS_KEY_ID!,
    '--tier-s3-secret-access-key',
    env.S3_SECRET_ACCESS_KEY!,
    '--tier-s3-prefix',
    prefix,
  ];
}
