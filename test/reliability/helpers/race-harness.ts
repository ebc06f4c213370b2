import { type BlobStore, FaultyStore, MemoryStore, MultipartEngine, S3Error, defineLimits } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { TempDirs } from './bytes.js';

/** Small limits so races need no 5 MiB parts. */
export const RACE_LIMITS = defineLimits({
  name: 'races', maxPartNumber: 10, minPartSize: 4, maxPartSize: 1024, maxObjectSize: 100_000, maxPutObjectSize: 4096, maxListPage: 1000,
});

export type BackendName = 'memory' | 'fs';

/** One backend store per test file; each race gets a fresh jittering engine over it. */
export class RaceBackend {
  #inner: BlobStore | undefined;
  readonly #temps = new TempDirs();

  constructor(readonly name: BackendName) {}

  async open(): Promise<void> {
    this.#inner = this.name === 'memory'
      ? new MemoryStore()
      // fsync off: these tests are about interleavings, not power cuts.
      : await FsStore.open({ root: await this.#temps.make('races'), fsync: false });
  }

  /** An engine whose every store call is delayed 0..maxDelayMs by a seeded PRNG: one interleaving per seed. */
  engine(seed: number, maxDelayMs = 2): { engine: MultipartEngine; store: FaultyStore } {
    if (!this.#inner) throw new Error('backend not open');
    const rates = { delay: 0.5 };
    const store = new FaultyStore(this.#inner, {
      seed,
      maxDelayMs,
      rates: {
        readRecord: rates, writeRecord: rates, deleteRecord: rates, listRecords: rates, writePart: rates,
        assemble: rates, read: rates, discard: rates, deleteData: rates,
      },
    });
    return { engine: new MultipartEngine({ store, limits: RACE_LIMITS }), store };
  }

  async close(): Promise<void> {
    await this.#inner?.close();
    await this.#temps.removeAll();
  }
}

/** A promise a test resolves by hand. */
export class Gate {
  readonly promise: Promise<void>;
  open!: () => void;
  constructor() {
    this.promise = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}

/**
 * A body that streams all but its last byte, then waits for `gate` before the last byte and
 * its end: the upload is in flight until the test decides it finishes. `started` resolves
 * once the first bytes were taken, i.e. the engine is inside writePart.
 */
export function gatedBody(data: Uint8Array, gate: Gate): { body: AsyncIterable<Uint8Array>; started: Promise<void> } {
  const started = new Gate();
  async function* body(): AsyncIterable<Uint8Array> {
    yield Buffer.from(data.subarray(0, data.byteLength - 1));
    started.open();
    await gate.promise;
    yield Buffer.from(data.subarray(data.byteLength - 1));
  }
  return { body: body(), started: started.promise };
}

/** `n` distinct bytes derived from a label, so every body in a test is recognisable. */
export function bytesFor(label: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (label.charCodeAt(i % label.length) * 31 + i * 7) & 0xff;
  return out;
}

/** Resolves after `turns` trips through the event loop. */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Settles a promise into its outcome: 'ok' with the value, or the S3 error code (others rethrow). */
export async function settleS3<T>(promise: Promise<T>): Promise<{ code: string; value?: T }> {
  try {
    return { code: 'ok', value: await promise };
  } catch (error) {
    if (error instanceof S3Error) return { code: error.code };
    throw error;
  }
}
