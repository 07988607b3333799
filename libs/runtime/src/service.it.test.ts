import { createServer } from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ProbeService } from '@trunkline/contracts/testing/v1/probe';
import {
  fileContainingSymbol,
  InProcessService,
  listServicesByReflection,
  probeService,
} from '@trunkline/testing';
import { Code, TrunklineError } from './errors';
import { createGrpcClient, type GrpcClient } from './grpc/grpc-client';
import { checkHealth } from './grpc/health-client';

describe('a service started with the runtime', () => {
  let service: InProcessService;
  let client: GrpcClient<typeof ProbeService>;

  beforeAll(async () => {
    service = await InProcessService.start(probeService);
    client = createGrpcClient(ProbeService, service.grpcAddress);
  });

  afterAll(() => client.close());

  it('answers a typed unary call', async () => {
    const response = await client.echo({ message: 'hello' });
    expect(response.message).toBe('hello');
    expect(response.$typeName).toBe('trunkline.testing.v1.EchoResponse');
  });

  it('streams server-streaming responses', async () => {
    const numbers: number[] = [];
    for await (const response of client.count({ upTo: 5 })) numbers.push(response.number);
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives the caller the code, message and details a handler threw', async () => {
    const error = await client
      .fail({ code: Code.FailedPrecondition, message: 'group is not empty' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TrunklineError);
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.message).toBe('group is not empty');
    expect(error.details).toEqual({ reason: 'asked-to-fail' });
  });

  it('turns a client deadline into DEADLINE_EXCEEDED', async () => {
    const error = await client.echo({ message: 'slow', delayMs: 2000 }, { timeoutMs: 100 }).catch((e) => e);
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  it('reports SERVING through the standard health service, for the server and each service', async () => {
    expect(await checkHealth(service.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service.grpcAddress, 'trunkline.testing.v1.ProbeService')).toBe('SERVING');
  });

  it('lists its services through server reflection', async () => {
    expect(await listServicesByReflection(service.grpcAddress)).toEqual([
      'grpc.health.v1.Health',
      'trunkline.testing.v1.ProbeService',
    ]);
  });

  it('describes a service through reflection, as grpcurl does before calling it', async () => {
    const files = await fileContainingSymbol(service.grpcAddress, 'trunkline.testing.v1.ProbeService');
    const declared = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    const probe = declared.find((file) => file.name === 'trunkline/testing/v1/probe.proto');
    expect(probe?.service.map((s) => s.method.map((m) => m.name))).toEqual([['Echo', 'Count', 'Fail']]);
  });

  it('serves Prometheus metrics with process metrics and per-method gRPC counters', async () => {
    await client.echo({ message: 'counted' });
    const response = await fetch(`${service.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
    expect(body).toMatch(
      /grpc_server_handled_total\{service="trunkline.testing.v1.ProbeService",method="Echo",code="Ok"\} [1-9]/,
    );
    expect(body).toContain('trunkline_service_info{');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${service.httpUrl}/nothing-here`)).status).toBe(404);
  });

  it('logs JSON lines carrying the service name and instance id', () => {
    const ready = service.logs().find((entry) => entry.msg === 'service ready');
    expect(ready).toMatchObject({ level: 'info', service: 'probe', instance: service.handle.instanceId });
  });
});

describe('starting a service', () => {
  it('names the flag whose port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const error = await InProcessService.start(probeService, ['--http-port', String(taken)]).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(TrunklineError);
      expect(error.message).toBe(`cannot listen on 127.0.0.1:${taken} (--http-port): address already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('stopping a service', () => {
  it('stops answering readiness and health, then closes', async () => {
    const service = await InProcessService.start(probeService);
    const address = service.grpcAddress;
    expect(await service.stop()).toBe(true);
    await expect(checkHealth(address, '', 500)).rejects.toMatchObject({ code: Code.Unavailable });
    await expect(fetch(`${service.httpUrl}/readyz`)).rejects.toThrow();
  });
});
