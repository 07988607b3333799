import { execFileSync } from 'node:child_process';
import { runToCompletion } from './engine-process';

function kcatVersion(): string | undefined {
  try {
    return execFileSync('kcat', ['-V'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Makes sure kcat (librdkafka's command-line client) is on PATH, installing Debian's package as root. */
export async function installKcat(progress: (message: string) => void): Promise<void> {
  const present = kcatVersion();
  if (present !== undefined) {
    progress(`kcat: ${present}`);
    return;
  }
  if (process.getuid?.() !== 0)
    throw new Error('kcat is not installed; install it with: sudo apt-get install -y kcat');
  progress('kcat: installing the Debian package');
  const install = {
    command: 'apt-get',
    args: ['install', '-y', '-q', 'kcat'],
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  };
  try {
    await runToCompletion(install, 'apt-get install kcat');
  } catch {
    await runToCompletion({ command: 'apt-get', args: ['update', '-q'] }, 'apt-get update');
    await runToCompletion(install, 'apt-get install kcat');
  }
  progress(`kcat: ${kcatVersion()}`);
}
