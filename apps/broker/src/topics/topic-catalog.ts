import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@trunkline/log-store';

export interface TopicRecord {
  readonly name: string;
  /** Kafka topic id: 16 random bytes (hex here). */
  readonly id: string;
  partitions: number;
  configs: Record<string, string>;
  readonly internal: boolean;
}

interface CatalogFile {
  clusterId: string;
  topics: TopicRecord[];
}

const FILE = 'topics.json';

/**
 * The broker's topics, their partition counts and config overrides, persisted in one
 * small file replaced atomically and durably on every change.
 */
export class TopicCatalog {
  private readonly topics = new Map<string, TopicRecord>();

  private constructor(
    private readonly dataDir: string,
    readonly clusterId: string,
  ) {}

  static async open(dataDir: string): Promise<TopicCatalog> {
    await mkdir(dataDir, { recursive: true });
    const text = await readFile(join(dataDir, FILE), 'utf8').catch(() => undefined);
    if (text === undefined) {
      const catalog = new TopicCatalog(dataDir, randomBytes(16).toString('base64url'));
      await catalog.save();
      return catalog;
    }
    const file = JSON.parse(text) as CatalogFile;
    const catalog = new TopicCatalog(dataDir, file.clusterId);
    for (const topic of file.topics) catalog.topics.set(topic.name, topic);
    return catalog;
  }

  get(name: string): TopicRecord | undefined {
    return this.topics.get(name);
  }

  byId(id: string): TopicRecord | undefined {
    return [...this.topics.values()].find((t) => t.id === id);
  }

  list(): TopicRecord[] {
    return [...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async create(
    name: string,
    partitions: number,
    configs: Record<string, string>,
    internal = false,
  ): Promise<TopicRecord> {
    const topic: TopicRecord = { name, id: randomBytes(16).toString('hex'), partitions, configs, internal };
    this.topics.set(name, topic);
    await this.save();
    return topic;
  }

  async delete(name: string): Promise<void> {
    this.topics.delete(name);
    await this.save();
  }

  async update(topic: TopicRecord): Promise<void> {
    this.topics.set(topic.name, topic);
    await this.save();
  }

  private async save(): Promise<void> {
    const file: CatalogFile = { clusterId: this.clusterId, topics: this.list() };
    await writeFileDurably(join(this.dataDir, FILE), `${JSON.stringify(file, null, 2)}\n`);
  }
}
