import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../engine';
import { runToCompletion } from '../engine-process';
import { installMavenDependencies, javaBinary } from '../java';

/** Keep in step with infra/engines/opensearch/pom.xml. */
export const OPENSEARCH_VERSION = '2.19.6';

const ENGINE_DIR = join(__dirname, '..', '..', 'opensearch');
const MAIN_SOURCE = join(
  ENGINE_DIR,
  'src/main/java/dev/trunkline/engines/opensearch/EmbeddedOpenSearch.java',
);
const MAIN_CLASS = 'dev.trunkline.engines.opensearch.EmbeddedOpenSearch';

function installDir(cacheDir: string): string {
  return join(cacheDir, `opensearch-${OPENSEARCH_VERSION}`);
}

/** Compiled launcher, keyed by its source's hash so an edited launcher is recompiled. */
function classesDir(cacheDir: string): string {
  const hash = createHash('sha256').update(readFileSync(MAIN_SOURCE)).digest('hex').slice(0, 12);
  return join(installDir(cacheDir), `classes-${hash}`);
}

function javacBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
}

/**
 * One OpenSearch node from Maven Central's jars: the server, the modules a distribution
 * bundles, and a small launcher of ours (EmbeddedOpenSearch.java) that starts a Node with
 * those modules as classpath plugins, since Maven Central serves no distribution tarball.
 */
export const opensearchEngine: Engine = {
  name: 'opensearch',
  description: `OpenSearch ${OPENSEARCH_VERSION} (single node, plain HTTP)`,
  source: 'Maven Central (org.opensearch:opensearch and its modules, started by a launcher of ours)',
  defaultPort: 19200,

  async install({ cacheDir, progress }) {
    const lib = join(installDir(cacheDir), 'lib');
    progress(`opensearch: fetching OpenSearch ${OPENSEARCH_VERSION} from Maven Central unless cached`);
    await installMavenDependencies(join(ENGINE_DIR, 'pom.xml'), lib, `OpenSearch ${OPENSEARCH_VERSION}`);
    const classes = classesDir(cacheDir);
    if (existsSync(join(classes, '.complete'))) return;
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    await runToCompletion(
      { command: javacBinary(), args: ['-d', classes, '-cp', join(lib, '*'), MAIN_SOURCE] },
      'compiling the OpenSearch launcher',
    );
    writeFileSync(join(classes, '.complete'), `${new Date().toISOString()}\n`);
  },

  async prepare({ cacheDir, runDir, port }) {
    const classpath = `${classesDir(cacheDir)}:${join(installDir(cacheDir), 'lib', '*')}`;
    return {
      launch: {
        command: javaBinary(),
        args: [
          '-Xms512m',
          '-Xmx512m',
          // As OpenSearch's own launcher sets it, so dates parse and format as in a distribution.
          '-Djava.locale.providers=SPI,CLDR',
          '-cp',
          classpath,
          MAIN_CLASS,
          join(runDir, 'home'),
          String(port),
        ],
      },
      env: { OPENSEARCH_URL: `http://127.0.0.1:${port}` },
    };
  },

  async isReady({ env, log }) {
    if (!log().includes('opensearch ready')) return false;
    return (await fetch(env.OPENSEARCH_URL!)).ok;
  },
};
