import type { DescMethod, DescService } from '@bufbuild/protobuf';
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  type MethodDefinition,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { Counter, Histogram, type Registry } from 'prom-client';
import { Code, TrunklineError } from '../errors';
import type { Logger } from '../logger';
import { messageCodec, methodPath } from './method-codec';
import { reflectionPackageDefinition } from './reflection';
import type { CallContext, ServiceImpl } from './service-impl';
import { toGrpcStatus } from './status';

export interface GrpcServerOptions {
  logger: Logger;
  metrics: Registry;
  /** Largest request message accepted; larger ones are refused with RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * A gRPC server built from protobuf-es service descriptors: handlers are typed by the
 * generated service, and the standard health service and server reflection come with it.
 */
export class GrpcServer {
  private readonly server: Server;
  private readonly services: DescService[] = [];
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly shutdownController = new AbortController();
  private readonly handled: Counter<'service' | 'method' | 'code'>;
  private readonly latency: Histogram<'service' | 'method'>;
  private port: number | undefined;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new Server({
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
    });
    this.handled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'gRPC calls completed, by method and status code',
      labelNames: ['service', 'method', 'code'],
      registers: [options.metrics],
    });
    this.latency = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time from receiving a gRPC call to sending its status',
      labelNames: ['service', 'method'],
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10],
      registers: [options.metrics],
    });
  }

  /** Serves a generated service; call before `listen`. */
  addService<S extends DescService>(service: S, impl: ServiceImpl<S>): this {
    if (this.port !== undefined) throw new Error(`cannot add ${service.typeName} after the server started`);
    const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
    const handlers: UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const handler = (impl as Record<string, unknown>)[method.localName];
      if (typeof handler !== 'function') {
        throw new Error(`no handler for ${service.typeName}.${method.name} (expected "${method.localName}")`);
      }
      const input = messageCodec(method.input);
      const output = messageCodec(method.output);
      const base: MethodDefinition<unknown, unknown> = {
        path: methodPath(service.typeName, method.name),
        requestStream: false,
        responseStream: false,
        requestSerialize: input.serialize as (value: unknown) => Buffer,
        requestDeserialize: input.deserialize,
        responseSerialize: output.serialize as (value: unknown) => Buffer,
        responseDeserialize: output.deserialize,
        originalName: method.localName,
      };
      switch (method.methodKind) {
        case 'unary':
          definition[method.name] = base;
          handlers[method.name] = this.unaryHandler(method, handler.bind(impl));
          break;
        case 'server_streaming':
          definition[method.name] = { ...base, responseStream: true };
          handlers[method.name] = this.serverStreamingHandler(method, handler.bind(impl));
          break;
        default:
          throw new Error(`${service.typeName}.${method.name}: ${method.methodKind} RPCs are not supported`);
      }
    }
    this.server.addService(definition, handlers);
    this.services.push(service);
    return this;
  }

  /** Binds, adds health and reflection, and resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    this.health.addToServer(this.server);
    new ReflectionService(reflectionPackageDefinition(this.services)).addToServer(this.server);
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    return this.port;
  }

  /** Health status of the server ('') and of every served service. */
  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const service of this.services) this.health.setStatus(service.typeName, status);
  }

  get serviceNames(): string[] {
    return this.services.map((s) => s.typeName);
  }

  /** Aborted once shutdown begins; handlers see it as `context.shutdown`. */
  get shutdownSignal(): AbortSignal {
    return this.shutdownController.signal;
  }

  /**
   * Stops accepting calls and waits for the ones in flight; after `timeoutMs` the rest are
   * cancelled. Resolves true when everything completed in time.
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    this.setServing(false);
    this.shutdownController.abort();
    if (this.port === undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<boolean>((resolve) => this.server.tryShutdown(() => resolve(true)));
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const graceful = await Promise.race([drained, expired]);
    clearTimeout(timer);
    if (!graceful) this.server.forceShutdown();
    return graceful;
  }

  private contextOf(call: AnyCall): CallContext {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    return {
      signal: controller.signal,
      shutdown: this.shutdownController.signal,
      metadata: call.metadata,
      peer: call.getPeer(),
    };
  }

  private unaryHandler(
    method: DescMethod,
    handler: (request: unknown, context: CallContext) => unknown,
  ): handleUnaryCall<unknown, unknown> {
    return (call, callback) => {
      const done = this.track(method);
      Promise.resolve()
        .then(() => handler(call.request, this.contextOf(call)))
        .then(
          (response) => {
            done(Code.Ok);
            callback(null, response);
          },
          (error: unknown) => {
            const failure = this.failure(method, error);
            done(failure.code);
            callback(toGrpcStatus(failure));
          },
        );
    };
  }

  private serverStreamingHandler(
    method: DescMethod,
    handler: (request: unknown, context: CallContext) => AsyncIterable<unknown>,
  ): handleServerStreamingCall<unknown, unknown> {
    return (call) => {
      const done = this.track(method);
      const context = this.contextOf(call);
      (async () => {
        for await (const message of handler(call.request, context)) {
          if (context.signal.aborted) return;
          if (!call.write(message)) {
            await new Promise<void>((resolve) => {
              call.once('drain', resolve);
              context.signal.addEventListener('abort', () => resolve(), { once: true });
            });
          }
        }
      })().then(
        () => {
          done(context.signal.aborted ? Code.Cancelled : Code.Ok);
          call.end();
        },
        (error: unknown) => {
          const failure = this.failure(method, error);
          done(failure.code);
          call.emit('error', toGrpcStatus(failure));
        },
      );
    };
  }

  private track(method: DescMethod): (code: Code) => void {
    const labels = { service: method.parent.typeName, method: method.name };
    const stopTimer = this.latency.startTimer(labels);
    return (code) => {
      stopTimer();
      this.handled.inc({ ...labels, code: Code[code] });
    };
  }

  private failure(method: DescMethod, error: unknown): TrunklineError {
    const failure = TrunklineError.from(error);
    if (failure.code === Code.Internal || failure.code === Code.Unknown) {
      this.options.logger.error(
        { err: error, rpc: `${method.parent.typeName}/${method.name}` },
        'gRPC handler failed',
      );
    }
    return failure;
  }
}
