// Test support, not part of the library: runs Google's Python protobuf runtime (from the
// python-clients virtualenv the engines cache installs) to check descriptors against it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = join(__dirname, '../../../../.engines/cache/python-clients/bin/python');

/** Why Python checks are skipped, or undefined when the virtualenv with protobuf is there. */
export function pythonUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `no Python virtualenv at ${PYTHON}`;
  const probe = spawnSync(PYTHON, ['-c', 'import google.protobuf'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `google.protobuf does not import: ${probe.stderr.trim()}`;
}

const SCRIPT = `
import base64, json, sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf import any_pb2, api_pb2, duration_pb2, empty_pb2, field_mask_pb2
from google.protobuf import source_context_pb2, struct_pb2, timestamp_pb2, type_pb2, wrappers_pb2
WELL_KNOWN = [descriptor_pb2, any_pb2, source_context_pb2, type_pb2, api_pb2, duration_pb2, empty_pb2,
              field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2]
request = json.load(sys.stdin)
if 'wellKnown' in request:
    module = next(m for m in WELL_KNOWN if m.DESCRIPTOR.name == request['wellKnown'])
    print(json.dumps({'bytes': base64.b64encode(module.DESCRIPTOR.serialized_pb).decode()}))
    sys.exit(0)
pool = descriptor_pool.DescriptorPool()
for module in WELL_KNOWN if request['withWellKnown'] else []:
    pool.AddSerializedFile(module.DESCRIPTOR.serialized_pb)
messages = []
def walk(descriptor):
    messages.append(descriptor.full_name)
    message_factory.GetMessageClass(descriptor)
    for nested in descriptor.nested_types:
        walk(nested)
for encoded in request['files']:
    proto = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(encoded))
    pool.Add(proto)
    for message in pool.FindFileByName(proto.name).message_types_by_name.values():
        walk(message)
print(json.dumps({'messages': messages}))
`;

function runPython(request: unknown): Record<string, unknown> {
  const result = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Python protobuf refused: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/**
 * Adds serialized FileDescriptorProtos (dependencies first) to a Python DescriptorPool that holds
 * the well-known files (unless `withWellKnown` is false), builds a message class for every message, and returns the messages'
 * full names. Throws with Python's error when the pool refuses a file.
 */
export function loadIntoPythonPool(files: readonly Uint8Array[], withWellKnown = true): string[] {
  const answer = runPython({ files: files.map((f) => Buffer.from(f).toString('base64')), withWellKnown });
  return answer.messages as string[];
}

/** The serialized descriptor of a well-known file as Python's protobuf runtime embeds it. */
export function pythonWellKnownDescriptor(name: string): Uint8Array {
  return Buffer.from(runPython({ wellKnown: name }).bytes as string, 'base64');
}
