import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@trunkline/log-store';

const BLOCK = 1000n;
const FILE = 'producer-ids';

/**
 * Hands out producer ids that are never reused, even across crashes: ids come in blocks
 * whose end is persisted before any id of the block is given out.
 */
export class ProducerIdAllocator {
  private constructor(
    private readonly dataDir: string,
    private next: bigint,
    private blockEnd: bigint,
  ) {}

  static async open(dataDir: string): Promise<ProducerIdAllocator> {
    const persisted = await readFile(join(dataDir, FILE), 'utf8').then(
      (t) => BigInt(t.trim()),
      () => 0n,
    );
    const allocator = new ProducerIdAllocator(dataDir, persisted, persisted);
    return allocator;
  }

  async allocate(): Promise<bigint> {
    if (this.next >= this.blockEnd) {
      this.blockEnd = this.next + BLOCK;
      await writeFileDurably(join(this.dataDir, FILE), `${this.blockEnd}\n`);
    }
    const id = this.next;
    this.next += 1n;
    return id;
  }
}
