import { HashPool, type HashPoolOptions } from './hash-pool.js';
import { hashWorkersAvailable } from './hash-worker-spawn.js';
import type { PayloadHasherOptions } from './payload-hasher.js';
import { type StreamHasher, inlineStreamHasher } from './stream-hasher.js';

export interface HashingOptions {
  /** Hashing worker threads; 0 hashes every body inline. Default `os.availableParallelism()`. */
  readonly threads?: number;
  /**
   * Bodies of a known length below this are hashed inline: the hop to a worker costs more than
   * it saves. Unknown lengths are hashed inline too. Default 1 MiB (packages/core/bench/hash-pool.ts).
   */
  readonly minPooledBytes?: number;
  /** Bytes per message to a worker (see `HashPoolOptions.batchBytes`). */
  readonly batchBytes?: number;
  /** Starts one worker (see `HashPoolOptions.spawn`; tests use a worker that crashes). */
  readonly spawn?: HashPoolOptions['spawn'];
}

export const DEFAULT_MIN_POOLED_BYTES = 1024 * 1024;

/** Chooses inline or pooled hashing per body; owns the engine's pool (started on first use). */
export class PayloadHashing {
  readonly #options: HashingOptions;
  readonly #minPooledBytes: number;
  readonly #enabled: boolean;
  #pool: HashPool | undefined;

  constructor(options: HashingOptions = {}) {
    this.#options = options;
    this.#minPooledBytes = options.minPooledBytes ?? DEFAULT_MIN_POOLED_BYTES;
    this.#enabled = options.threads !== 0 && hashWorkersAvailable();
  }

  /** A hasher for a body of `expectedSize` bytes (undefined: unknown). */
  hasher(options: PayloadHasherOptions, expectedSize: number | undefined): StreamHasher {
    if (!this.#enabled || expectedSize === undefined || expectedSize < this.#minPooledBytes) return inlineStreamHasher(options);
    this.#pool ??= new HashPool({
      ...(this.#options.threads !== undefined ? { threads: this.#options.threads } : {}),
      ...(this.#options.batchBytes !== undefined ? { batchBytes: this.#options.batchBytes } : {}),
      ...(this.#options.spawn ? { spawn: this.#options.spawn } : {}),
    });
    return this.#pool.open(options);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }
}
