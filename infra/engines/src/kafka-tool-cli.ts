// `npm run -s kafka-tool -- <tool> [args]`: Kafka's own Java clients and performance tools.
import { spawn } from 'node:child_process';
import { isKafkaTool, KAFKA_TOOLS, kafkaToolCommand } from './kafka-tools';

async function main([tool, ...args]: string[]): Promise<number> {
  if (tool === undefined || !isKafkaTool(tool)) {
    process.stderr.write(
      `Usage: npm run -s kafka-tool -- <tool> [its arguments]\n\nTools (Apache Kafka's, from Maven Central):\n${Object.entries(
        KAFKA_TOOLS,
      )
        .map(([name, main]) => `  ${name.padEnd(22)}${main}`)
        .join('\n')}\n`,
    );
    return tool === undefined || tool === '--help' ? 0 : 2;
  }
  const [command, ...commandArgs] = await kafkaToolCommand(tool, args);
  const child = spawn(command, commandArgs, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kafka-tool: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
