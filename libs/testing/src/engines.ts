import { type EngineEnv, runningEngineEnv } from '@trunkline/engines';

/** The variables through which each engine is reached (what `npm run -s engine -- start` prints). */
const ENGINE_VARIABLES: Record<string, readonly string[]> = {
  kafka: ['KAFKA_BOOTSTRAP'],
  postgres: ['POSTGRES_URL'],
  s3: ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  opensearch: ['OPENSEARCH_URL'],
  pgvector: ['PGVECTOR_POSTGRES_URL'],
};

/**
 * How to reach an engine: from the environment when every variable of it is set (CI, or an
 * engine elsewhere), else from an engine that `npm run engine -- start` left running.
 */
export function engineEnv(name: string): EngineEnv | undefined {
  const variables = ENGINE_VARIABLES[name];
  if (variables === undefined) throw new Error(`no such engine: ${name}`);
  const fromEnvironment = Object.fromEntries(variables.map((key) => [key, process.env[key]]));
  if (variables.every((key) => fromEnvironment[key])) return fromEnvironment as EngineEnv;
  return runningEngineEnv(name);
}

/** True when tests must fail, not skip, for a missing engine (set by .ci/run). */
export function enginesRequired(): boolean {
  return process.env.TRUNKLINE_REQUIRE_ENGINES === '1';
}

/**
 * A describe block that needs an engine. Without the engine it is skipped with the reason
 * printed, or, when engines are required, it fails with that reason.
 */
export function describeWithEngine(name: string, title: string, body: (env: EngineEnv) => void): void {
  const env = engineEnv(name);
  if (env !== undefined) {
    describe(title, () => body(env));
    return;
  }
  describeUnavailable(
    title,
    `the ${name} engine is not running (start it: npm run -s engine -- start ${name})`,
  );
}

/** Skips (printing why) or, when engines are required, fails a block whose engine is missing. */
export function describeUnavailable(title: string, reason: string): void {
  if (enginesRequired()) {
    describe(title, () => {
      it('has what it needs', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  process.stderr.write(`SKIPPED "${title}": ${reason}\n`);
  describe.skip(title, () => {
    it(`needs: ${reason}`, () => undefined);
  });
}
