import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './engine-process';
import { installMavenDependencies, javaBinary } from './java';
import { cacheDir } from './paths';

/** Keep in step with infra/engines/debezium/pom.xml. */
export const DEBEZIUM_VERSION = '3.6.1.Final';

const LAUNCHER_DIR = join(__dirname, '..', 'debezium');
const MAIN_SOURCE = join(LAUNCHER_DIR, 'src/main/java/dev/trunkline/engines/debezium/DebeziumCdcBench.java');
const MAIN_CLASS = 'dev.trunkline.engines.debezium.DebeziumCdcBench';

function javacBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
}

/**
 * The command that runs Debezium's embedded engine (Postgres connector) through our launcher,
 * DebeziumCdcBench.java: fetches the jars from Maven Central and compiles the launcher once
 * (cached; an edited launcher is recompiled). The launcher takes the number of snapshot rows
 * to expect and the engine's properties as key=value, prints JSON lines, and stops when its
 * standard input closes.
 */
export async function debeziumBenchCommand(
  expectedSnapshotRows: number,
  properties: Readonly<Record<string, string>>,
  progress: (message: string) => void,
): Promise<{ command: string; args: string[] }> {
  const home = join(cacheDir(), `debezium-${DEBEZIUM_VERSION}`);
  const lib = join(home, 'lib');
  progress(`debezium: fetching Debezium ${DEBEZIUM_VERSION} from Maven Central unless cached`);
  await installMavenDependencies(join(LAUNCHER_DIR, 'pom.xml'), lib, `Debezium ${DEBEZIUM_VERSION}`);
  const hash = createHash('sha256').update(readFileSync(MAIN_SOURCE)).digest('hex').slice(0, 12);
  const classes = join(home, `classes-${hash}`);
  if (!existsSync(join(classes, '.complete'))) {
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    await runToCompletion(
      { command: javacBinary(), args: ['-d', classes, '-cp', join(lib, '*'), MAIN_SOURCE] },
      'compiling the Debezium launcher',
    );
    writeFileSync(join(classes, '.complete'), `${new Date().toISOString()}\n`);
  }
  return {
    command: javaBinary(),
    args: [
      '-Xms512m',
      '-Xmx1g',
      // Debezium's log (slf4j-simple) goes to stderr; warnings only, so it stays readable.
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${classes}:${join(lib, '*')}`,
      MAIN_CLASS,
      String(expectedSnapshotRows),
      ...Object.entries(properties).map(([key, value]) => `${key}=${value}`),
    ],
  };
}
