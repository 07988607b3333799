import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine';
import { runToCompletion } from '../engine-process';

export const VERSITYGW_VERSION = 'v1.8.0';
const ACCESS_KEY_ID = 'trunkline';
const SECRET_ACCESS_KEY = 'trunkline-secret';
const BUCKET = 'trunkline-test';

function binary(cacheDir: string): string {
  return join(cacheDir, `versitygw-${VERSITYGW_VERSION}`, 'bin', 'versitygw');
}

/**
 * Versity Gateway: an Apache-2.0 S3 server that stores objects as files of a POSIX
 * directory. Chosen over moto (an in-memory mock of AWS) because it is a real server that
 * persists data, and over MinIO because of MinIO's AGPL licence; it builds from the Go proxy.
 */
export const s3Engine: Engine = {
  name: 's3',
  description: `Versity S3 Gateway ${VERSITYGW_VERSION} (POSIX backend)`,
  source: 'the Go module proxy (github.com/versity/versitygw, built with go install)',
  defaultPort: 19000,

  async install({ cacheDir, progress }) {
    const target = binary(cacheDir);
    if (existsSync(target)) return;
    progress(
      `s3: building Versity S3 Gateway ${VERSITYGW_VERSION} with go install (first time only, ~1.5 min)`,
    );
    await runToCompletion(
      {
        command: 'go',
        args: ['install', `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}`],
        env: { GOBIN: join(cacheDir, `versitygw-${VERSITYGW_VERSION}`, 'bin'), GOFLAGS: '-modcacherw' },
      },
      'building versitygw',
    );
  },

  async prepare({ cacheDir, runDir, port }) {
    const data = join(runDir, 'data');
    // Each directory of the POSIX backend is a bucket.
    mkdirSync(join(data, BUCKET), { recursive: true });
    return {
      launch: {
        command: binary(cacheDir),
        args: ['--port', `127.0.0.1:${port}`, '--health', '/health', '--quiet', 'posix', data],
        env: { ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY },
      },
      env: {
        S3_ENDPOINT: `http://127.0.0.1:${port}`,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
        S3_REGION: 'us-east-1',
      },
    };
  },

  async isReady({ env }) {
    const response = await fetch(`${env.S3_ENDPOINT}/health`);
    return response.ok;
  },
};
