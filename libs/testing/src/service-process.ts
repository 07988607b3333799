import { ChildService } from './child-service';
import { untrack } from './cleanup';

/**
 * A Trunkline service a test runs as a child process: started by a subclass with its own
 * flags, stopped with SIGTERM, or killed with SIGKILL as a crash would.
 */
export abstract class ServiceProcess {
  private service: ChildService | undefined;

  /** What the service is, for errors: "the schema registry". */
  protected abstract readonly description: string;

  protected async launch(command: readonly [string, ...string[]]): Promise<void> {
    this.service = await ChildService.start({ command });
  }

  get process(): ChildService {
    if (this.service === undefined) throw new Error(`${this.description} is not started`);
    return this.service;
  }

  get grpcAddress(): string {
    return this.process.address('grpc');
  }

  /** SIGTERM and wait (clean shutdown). */
  async stop(): Promise<void> {
    await this.service?.stop();
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    const service = this.process;
    service.signal('SIGKILL');
    await service.exited;
    untrack(service);
  }
}
