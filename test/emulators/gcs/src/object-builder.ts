import { createHash, type Hash } from 'node:crypto';
import { crc32cFinish, crc32cInit, crc32cUpdate } from './crc32c.js';

export interface BuiltBytes {
  readonly chunks: readonly Buffer[];
  readonly size: number;
  readonly md5: Buffer;
  readonly crc32c: number;
}

/** Accumulates uploaded bytes and their MD5 and CRC32C in one pass as they arrive. */
export class ObjectBuilder {
  readonly #chunks: Buffer[] = [];
  readonly #md5: Hash = createHash('md5');
  #crc = crc32cInit();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#md5.update(chunk);
    this.#crc = crc32cUpdate(this.#crc, chunk);
    this.#size += chunk.length;
  }

  finish(): BuiltBytes {
    return { chunks: this.#chunks, size: this.#size, md5: this.#md5.digest(), crc32c: crc32cFinish(this.#crc) };
  }
}
