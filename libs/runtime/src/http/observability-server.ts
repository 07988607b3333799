import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ObservabilityServerOptions {
  metrics: Registry;
  /** Whether the service is ready for traffic; `/readyz` answers 503 until it is. */
  isReady(): boolean;
}

/**
 * The HTTP side every service exposes: `/metrics` (Prometheus text format), `/healthz`
 * (the process is alive) and `/readyz` (the service is ready for traffic).
 */
export class ObservabilityServer {
  private readonly server: Server;

  constructor(private readonly options: ObservabilityServerOptions) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        this.options.metrics.metrics().then(
          (body) => res.writeHead(200, { 'content-type': this.options.metrics.contentType }).end(body),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      } else if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const ready = this.options.isReady();
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(ready ? 'ready\n' : 'not ready\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    // Scrapers and probes use short-lived connections; don't let idle ones delay shutdown.
    this.server.keepAliveTimeout = 1000;
  }

  /** Listens and resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
