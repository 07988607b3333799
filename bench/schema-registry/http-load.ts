import { Agent, request } from 'node:http';

export interface LoadFigures {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface LoadRequest {
  method: string;
  path: string;
  body?: string;
}

/**
 * Sends `count` requests from `concurrency` callers over keep-alive connections, one request
 * in flight per caller, and measures each from send to the last byte of the answer.
 */
export async function runLoad(
  baseUrl: string,
  count: number,
  concurrency: number,
  requestFor: (i: number) => LoadRequest,
): Promise<LoadFigures> {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const { method, path, body } = requestFor(i);
      const started = process.hrtime.bigint();
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (res.statusCode !== 200) errors++;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await one(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: count,
    seconds,
    perSecond: count / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}
