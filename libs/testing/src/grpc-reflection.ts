import { dirname, join } from 'node:path';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

interface ReflectionStream {
  write(request: Record<string, string>): void;
  end(): void;
  on(event: 'data', listener: (response: ReflectionResponse) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

type ReflectionClient = { serverReflectionInfo(): ReflectionStream; close(): void };

/** Asks a server through `grpc.reflection.v1` (what grpcurl uses) for one answer. */
function ask(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const protoPath = join(
    dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const loaded = loadPackageDefinition(loadSync(protoPath, { keepCase: false })) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (...args: unknown[]) => ReflectionClient } } };
  };
  const client = new loaded.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  return new Promise<ReflectionResponse>((resolve, reject) => {
    const stream = client.serverReflectionInfo();
    stream.on('data', (response) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  }).finally(() => client.close());
}

/** Fully-qualified names of the services a server lists through reflection. */
export async function listServicesByReflection(address: string): Promise<string[]> {
  const response = await ask(address, { listServices: '' });
  if (response.errorResponse) throw new Error(response.errorResponse.errorMessage);
  return (response.listServicesResponse?.service ?? []).map((s) => s.name).sort();
}

/** Serialized FileDescriptorProtos of the file declaring `symbol` (and its imports). */
export async function fileContainingSymbol(address: string, symbol: string): Promise<Buffer[]> {
  const response = await ask(address, { fileContainingSymbol: symbol });
  if (response.errorResponse) throw new Error(response.errorResponse.errorMessage);
  return response.fileDescriptorResponse?.fileDescriptorProto ?? [];
}
