import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiName, kebabCase } from './api-names';
import type { Exchange } from './recording-proxy';

/** Larger frames (big fetches) would bloat the repository; a smaller one of the same version will do. */
const MAX_FRAME_BYTES = 64 * 1024;

export interface ManifestEntry {
  file: string;
  apiKey: number;
  api: string;
  version: number;
  kind: 'request' | 'response';
  client: string;
  clientId: string | null;
  step: string;
  bytes: number;
}

export interface ApiVersion {
  apiKey: number;
  version: number;
}

const keyOf = (apiKey: number, version: number) => `${apiKey}:${version}`;

/** "apiKey:version" keys back to pairs, by API key then version. */
function pairsOf(keys: Iterable<string>): ApiVersion[] {
  return [...keys]
    .map((key) => {
      const [apiKey, version] = key.split(':').map(Number);
      return { apiKey: apiKey!, version: version! };
    })
    .sort((a, b) => a.apiKey - b.apiKey || a.version - b.version);
}

/** Keeps the first small enough exchange of each (API, version) and notes who sent what. */
export class FixtureSet {
  private readonly chosen = new Map<string, Exchange>();
  /** client → "apiKey:version" it sent, answered. */
  private readonly sent = new Map<string, Set<string>>();
  private readonly oversized = new Set<string>();

  add(exchange: Exchange): void {
    const key = keyOf(exchange.apiKey, exchange.apiVersion);
    const bySender = this.sent.get(exchange.client) ?? new Set<string>();
    this.sent.set(exchange.client, bySender.add(key));
    if (this.chosen.has(key)) return;
    if (Math.max(exchange.request.length, exchange.response.length) > MAX_FRAME_BYTES) {
      this.oversized.add(key);
      return;
    }
    // The response is a view into the proxy's read buffer: copied, so that buffer can be freed.
    this.chosen.set(key, { ...exchange, response: Buffer.from(exchange.response) });
  }

  /** Captured exchanges, by API key then version. */
  exchanges(): Exchange[] {
    return [...this.chosen.values()].sort((a, b) => a.apiKey - b.apiKey || a.apiVersion - b.apiVersion);
  }

  /** (API, version) pairs seen only in frames too large to keep. */
  onlyOversized(): ApiVersion[] {
    return pairsOf([...this.oversized].filter((key) => !this.chosen.has(key)));
  }

  /** For each client, the API versions it had answered, whether kept or not. */
  sentByClient(): Map<string, ApiVersion[]> {
    return new Map([...this.sent].map(([client, keys]) => [client, pairsOf(keys)]));
  }

  /** Replaces `dir` with one .bin file per frame and a manifest.json describing them. */
  write(dir: string, broker: string): ManifestEntry[] {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const entries: ManifestEntry[] = [];
    for (const exchange of this.exchanges()) {
      const api = apiName(exchange.apiKey);
      for (const kind of ['request', 'response'] as const) {
        const file = `${kebabCase(api)}_${kind}_v${exchange.apiVersion}.bin`;
        writeFileSync(join(dir, file), exchange[kind]);
        entries.push({
          file,
          apiKey: exchange.apiKey,
          api,
          version: exchange.apiVersion,
          kind,
          client: exchange.client,
          clientId: exchange.clientId,
          step: exchange.step,
          bytes: exchange[kind].length,
        });
      }
    }
    const manifest = {
      about: 'Kafka protocol frames (the bytes after the 4-byte size) recorded by scripts/capture-frames.ts',
      broker,
      files: entries,
    };
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return entries;
  }
}
