// The service runtime as a process: what `trunkline serve <service>` does for every service.
import { ProbeService } from '@trunkline/contracts/testing/v1/probe';
import { Code, checkHealth, createGrpcClient } from '@trunkline/runtime';
import { ChildService, tsCommand } from './child-service';
import { listServicesByReflection } from './grpc-reflection';
import { PROBE_MAIN } from './index';

function startProbe(...args: string[]): Promise<ChildService> {
  return ChildService.start({
    command: tsCommand(PROBE_MAIN, '--grpc-port', '0', '--http-port', '0', ...args),
  });
}

describe('a service process', () => {
  it('serves calls, health, reflection and metrics, and drains an in-flight call on SIGTERM before exiting 0', async () => {
    const probe = await startProbe();
    const grpcAddress = probe.address('grpc');
    const client = createGrpcClient(ProbeService, grpcAddress);
    try {
      expect((await client.echo({ message: 'first' })).message).toBe('first');
      expect(await checkHealth(grpcAddress)).toBe('SERVING');
      expect(await listServicesByReflection(grpcAddress)).toContain('trunkline.testing.v1.ProbeService');
      const metrics = await (await fetch(`http://${probe.address('http')}/metrics`)).text();
      expect(metrics).toContain('process_resident_memory_bytes');

      const inFlight = client.echo({ message: 'in flight', delayMs: 1500 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      probe.signal('SIGTERM');
      await probe.waitForLog((entry) => entry.msg === 'shutting down');
      const refused = await client.echo({ message: 'too late' }, { timeoutMs: 2000 }).catch((e) => e);
      expect(refused.code).toBe(Code.Unavailable);

      expect((await inFlight).message).toBe('in flight');
      expect(await probe.exited).toEqual({ code: 0, signal: null });
      expect(probe.logs().map((entry) => entry.msg)).toContain('service stopped');
    } finally {
      client.close();
    }
  });

  it('cuts off calls still running when the shutdown timeout passes, and exits 1', async () => {
    const probe = await startProbe('--shutdown-timeout', '300ms');
    const client = createGrpcClient(ProbeService, probe.address('grpc'));
    try {
      const stuck = client.echo({ message: 'stuck', delayMs: 30_000 }).catch((e) => e);
      await new Promise((resolve) => setTimeout(resolve, 200));
      probe.signal('SIGTERM');
      expect(await probe.exited).toEqual({ code: 1, signal: null });
      expect((await stuck).code).toBe(Code.Cancelled);
    } finally {
      client.close();
    }
  });

  it('exits at once on a second signal', async () => {
    const probe = await startProbe('--shutdown-timeout', '1h');
    const client = createGrpcClient(ProbeService, probe.address('grpc'));
    try {
      void client.echo({ message: 'stuck', delayMs: 60_000 }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      probe.signal('SIGINT');
      await probe.waitForLog((entry) => entry.msg === 'shutting down');
      const before = Date.now();
      probe.signal('SIGINT');
      expect(await probe.exited).toEqual({ code: 130, signal: null });
      expect(Date.now() - before).toBeLessThan(5000);
    } finally {
      client.close();
    }
  });
});

describe('a service given bad settings', () => {
  async function run(args: string[], env: Record<string, string> = {}) {
    const child = ChildService.spawn({ command: tsCommand(PROBE_MAIN, ...args), env });
    const exit = await child.exited;
    return { exit, output: child.output() };
  }

  it.each([
    [
      ['--grpc-port', 'abc'],
      {},
      'probe: --grpc-port "abc" is invalid: expected a port number (0-65535; 0 picks a free port)',
    ],
    [['--grpc-prot', '5'], {}, 'probe: unknown flag --grpc-prot (did you mean --grpc-port?)'],
    [
      [],
      { TRUNKLINE_LOG_LEVEL: 'loud' },
      'probe: TRUNKLINE_LOG_LEVEL="loud" is invalid: expected one of trace, debug, info, warn, error, fatal, silent',
    ],
  ])('%j %j exits 2 with one line naming the setting', async (args, env, message) => {
    const { exit, output } = await run(args, env);
    expect(exit.code).toBe(2);
    expect(output).toBe(`${message}\n`);
  });

  it('prints every flag with --help and exits 0', async () => {
    const { exit, output } = await run(['--help']);
    expect(exit.code).toBe(0);
    for (const flag of [
      '--host',
      '--grpc-port',
      '--http-port',
      '--log-level',
      '--instance-id',
      '--shutdown-timeout',
    ]) {
      expect(output).toContain(flag);
    }
  });
});
