import { create, type DescFile, type DescService, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/**
 * The package definition server reflection answers from: the files declaring the served
 * services with everything they import, plus the standard health service.
 */
export function reflectionPackageDefinition(services: readonly DescService[]): PackageDefinition {
  const files = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (files.has(file.name)) return;
    for (const dependency of file.dependencies) visit(dependency);
    files.set(file.name, file);
  };
  for (const service of services) visit(service.file);
  const set = create(FileDescriptorSetSchema, { file: [...files.values()].map((f) => f.proto) });
  const ours = loadFileDescriptorSetFromBuffer(Buffer.from(toBinary(FileDescriptorSetSchema, set)));
  const health = loadSync(healthProtoPath);
  return { ...ours, ...health };
}
