import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './engine-process';
import { cacheDir } from './paths';

/** Confluent's Python client, with the extras its schema registry serializers need. */
const CONFLUENT_KAFKA_VERSION = '2.16.1';
const REQUIREMENTS = [`confluent-kafka[avro,json,protobuf]==${CONFLUENT_KAFKA_VERSION}`];

/** Imported to check an install: the client and the serializers each extra brings. */
const CHECKED_MODULES = [
  'confluent_kafka',
  'confluent_kafka.schema_registry.avro',
  'confluent_kafka.schema_registry.json_schema',
  'confluent_kafka.schema_registry.protobuf',
];

/** The virtualenv holding the Python clients. */
export function pythonClientsDir(): string {
  return join(cacheDir(), 'python-clients');
}

/** The virtualenv's python, which has the clients; whether it exists is up to the caller to check. */
export function pythonClientsPython(): string {
  return join(pythonClientsDir(), 'bin', 'python');
}

/** The installed client's version, or undefined when the virtualenv lacks it. */
function installedVersion(): string | undefined {
  if (!existsSync(pythonClientsPython())) return undefined;
  try {
    return execFileSync(
      pythonClientsPython(),
      ['-c', `import ${CHECKED_MODULES.join(', ')}; print(confluent_kafka.version())`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
  } catch {
    return undefined;
  }
}

/** Makes sure a virtualenv in the engines cache has the pinned Python clients (confluent-kafka). */
export async function installPythonClients(progress: (message: string) => void): Promise<void> {
  const present = installedVersion();
  if (present === CONFLUENT_KAFKA_VERSION) {
    progress(`python-clients: confluent-kafka ${present} in ${pythonClientsDir()}`);
    return;
  }
  progress(`python-clients: creating a virtualenv in ${pythonClientsDir()}`);
  await runToCompletion({ command: 'python3', args: ['-m', 'venv', pythonClientsDir()] }, 'python3 -m venv');
  progress(`python-clients: pip install ${REQUIREMENTS.join(' ')}`);
  await runToCompletion(
    {
      command: pythonClientsPython(),
      args: ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...REQUIREMENTS],
    },
    'pip install',
  );
  const installed = installedVersion();
  if (installed !== CONFLUENT_KAFKA_VERSION) {
    throw new Error(
      `python-clients: confluent-kafka ${CONFLUENT_KAFKA_VERSION} did not install (found ${installed})`,
    );
  }
  progress(`python-clients: confluent-kafka ${installed}`);
}
