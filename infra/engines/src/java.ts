import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './engine-process';

/** The java binary: $JAVA_HOME/bin/java when set, else java on PATH. */
export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Copies a pom's dependencies (resolved by Maven from Maven Central) into `target`, once:
 * a marker file says the copy completed, so an interrupted download is redone.
 */
export async function installMavenDependencies(pom: string, target: string, what: string): Promise<void> {
  const marker = join(target, '.complete');
  if (existsSync(marker)) return;
  const partial = `${target}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await runToCompletion(
    {
      command: 'mvn',
      args: ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`],
    },
    `downloading ${what} with Maven`,
  );
  rmSync(target, { recursive: true, force: true });
  renameSync(partial, target);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}
