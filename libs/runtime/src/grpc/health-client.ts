import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

type HealthClient = {
  check(
    request: { service: string },
    options: { deadline: number },
    callback: (error: ServiceError | null, response: { status: ServingStatus }) => void,
  ): void;
  close(): void;
};

/** Asks a server's standard `grpc.health.v1.Health/Check` for the status of `service` ('' = the server). */
export async function checkHealth(address: string, service = '', timeoutMs = 2000): Promise<ServingStatus> {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const grpc = definition.grpc as unknown as {
    health: { v1: { Health: new (...args: unknown[]) => HealthClient } };
  };
  const client = new grpc.health.v1.Health(address, credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) =>
        error ? reject(error) : resolve(response.status),
      ),
    );
  } finally {
    client.close();
  }
}
