import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest, WireDigest } from './hash-protocol.js';
import { spawnHashWorker } from './hash-worker-spawn.js';
import type { PayloadDigest, PayloadHasherOptions } from './payload-hasher.js';
import type { StreamHasher } from './stream-hasher.js';

export interface HashPoolOptions {
  /** Worker threads. Default `os.availableParallelism()`. */
  readonly threads?: number;
  /**
   * Bytes gathered into one message to a worker. Socket chunks are 16–64 KiB; one message per
   * chunk would spend more on messaging than on hashing. Default 512 KiB.
   */
  readonly batchBytes?: number;
  /** Bytes of one stream sent but not yet hashed before `update` makes the caller wait. Default 4 MiB. */
  readonly maxInFlightBytes?: number;
  /** Starts one worker (tests substitute a worker that crashes). Default `spawnHashWorker`. */
  readonly spawn?: () => Worker;
}

/** Spare batch buffers kept for reuse across streams (8 MiB at the default batch size). */
const MAX_SPARE_BATCHES = 16;

/** A hashing worker died or failed under a stream; the request fails (InternalError), nothing hangs. */
export class HashWorkerError extends Error {
  override readonly name = 'HashWorkerError';
}

interface StreamEvents {
  ack(bytes: number): void;
  digest(digest: WireDigest): void;
  fail(error: Error): void;
}

interface Slot {
  worker: Worker | undefined;
  readonly streams: Map<number, StreamEvents>;
}

/** What a pooled stream may do with its worker. */
interface StreamLink {
  post(message: HashRequest, transfer?: ArrayBuffer[]): void;
  /** An empty batch buffer (reused when one has come back from a worker). */
  batch(): Uint8Array;
  /** Forget the stream (after its digest, on abort). */
  release(): void;
}

/**
 * Worker threads that hash request bodies off the event loop, so one process hashes several
 * uploads on several cores while the main thread parses HTTP and writes to the store. Workers
 * start on first use, hold the process open only while they have streams, and are replaced
 * when one dies (its streams fail with HashWorkerError).
 */
export class HashPool {
  readonly threads: number;
  readonly #batchBytes: number;
  readonly #maxInFlightBytes: number;
  readonly #spawn: () => Worker;
  readonly #slots: Slot[];
  /** Batch buffers returned by workers, ready for reuse (at most MAX_SPARE_BATCHES). */
  readonly #spare: ArrayBuffer[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.#batchBytes = options.batchBytes ?? 512 * 1024;
    this.#maxInFlightBytes = options.maxInFlightBytes ?? 4 * 1024 * 1024;
    this.#spawn = options.spawn ?? spawnHashWorker;
    this.#slots = Array.from({ length: this.threads }, () => ({ worker: undefined, streams: new Map() }));
  }

  /** A stream hashed on the least busy worker. */
  open(options: PayloadHasherOptions): StreamHasher {
    if (this.#closed) throw new HashWorkerError('the hash pool is closed');
    const slot = this.#slots.reduce((best, s) => (s.streams.size < best.streams.size ? s : best));
    const worker = slot.worker ?? this.#start(slot);
    const id = this.#nextId++;
    const link: StreamLink = {
      post: (message, transfer) => worker.postMessage(message, transfer),
      batch: () => new Uint8Array(this.#spare.pop() ?? new ArrayBuffer(this.#batchBytes)),
      release: () => {
        if (slot.worker === worker && slot.streams.delete(id) && slot.streams.size === 0) worker.unref();
      },
    };
    const stream = new PooledStreamHasher(link, this.#maxInFlightBytes);
    if (slot.streams.size === 0) worker.ref();
    slot.streams.set(id, stream.events);
    worker.postMessage({ type: 'open', id, algorithms: [...new Set(options.algorithms ?? [])], sha256: options.sha256 ?? false } satisfies HashRequest);
    stream.id = id;
    return stream;
  }

  /** Stops the workers; streams still open fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((slot) => {
      const worker = slot.worker;
      if (!worker) return undefined;
      this.#fail(slot, worker, new HashWorkerError('the hash pool was closed'));
      return worker.terminate();
    }));
  }

  #start(slot: Slot): Worker {
    const worker = this.#spawn();
    slot.worker = worker;
    worker.unref();
    worker.on('message', (reply: HashReply) => {
      if (reply.type === 'ack' && reply.buffer.byteLength === this.#batchBytes && this.#spare.length < MAX_SPARE_BATCHES) {
        this.#spare.push(reply.buffer);
      }
      const stream = slot.streams.get(reply.id);
      if (!stream) return;
      if (reply.type === 'ack') stream.ack(reply.bytes);
      else if (reply.type === 'digest') stream.digest(reply.digest);
      else stream.fail(new HashWorkerError(reply.message));
    });
    worker.on('error', (error) => this.#fail(slot, worker, new HashWorkerError(`hash worker failed: ${error.message}`, { cause: error })));
    worker.on('messageerror', (error) => this.#fail(slot, worker, new HashWorkerError('hash worker message error', { cause: error })));
    worker.on('exit', (code) => this.#fail(slot, worker, new HashWorkerError(`hash worker exited (code ${code})`)));
    return worker;
  }

  /** The worker is gone: every stream on it fails, and the next stream on this slot starts a new one. */
  #fail(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const streams = [...slot.streams.values()];
    slot.streams.clear();
    for (const stream of streams) stream.fail(error);
    void worker.terminate();
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toPayloadDigest(wire: WireDigest): PayloadDigest {
  const checksums: PayloadDigest['checksums'] = {};
  for (const [algorithm, value] of Object.entries(wire.checksums)) checksums[algorithm as keyof typeof checksums] = toBuffer(value);
  return { size: wire.size, md5: toBuffer(wire.md5), ...(wire.sha256 ? { sha256: toBuffer(wire.sha256) } : {}), checksums };
}

/**
 * One body hashed on a worker. Chunks are copied into a batch that is transferred (moved, not
 * cloned) when full: the chunk itself must stay intact because the store writes it at the same
 * time, and one memcpy per byte costs far less than the hashes it moves off this thread.
 */
class PooledStreamHasher implements StreamHasher {
  id = 0;
  #batch: Uint8Array | undefined;
  #filled = 0;
  #inFlight = 0;
  #failure: Error | undefined;
  #waiter: { resolve(): void; reject(error: Error): void } | undefined;
  #result: { resolve(digest: PayloadDigest): void; reject(error: Error): void } | undefined;
  #finished = false;

  readonly events: StreamEvents = {
    ack: (bytes) => {
      this.#inFlight -= bytes;
      if (this.#waiter && this.#inFlight <= this.maxInFlightBytes) {
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter.resolve();
      }
    },
    digest: (digest) => {
      this.#finish();
      this.#result?.resolve(toPayloadDigest(digest));
    },
    fail: (error) => {
      this.#failure ??= error;
      this.#finish();
      this.#waiter?.reject(error);
      this.#waiter = undefined;
      this.#result?.reject(error);
    },
  };

  constructor(
    private readonly link: StreamLink,
    private readonly maxInFlightBytes: number,
  ) {}

  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    if (this.#finished) throw new Error('update after digest');
    let offset = 0;
    while (offset < chunk.byteLength) {
      const batch = (this.#batch ??= this.link.batch());
      const n = Math.min(chunk.byteLength - offset, batch.byteLength - this.#filled);
      batch.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === batch.byteLength) this.#flush();
    }
    if (this.#inFlight <= this.maxInFlightBytes) return undefined;
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  digest(): Promise<PayloadDigest> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#finished || this.#result) return Promise.reject(new Error('digest called twice'));
    const result = new Promise<PayloadDigest>((resolve, reject) => {
      this.#result = { resolve, reject };
    });
    this.#flush();
    this.link.post({ type: 'digest', id: this.id });
    return result;
  }

  abort(): void {
    if (this.#finished) return;
    this.#finish();
    this.link.post({ type: 'close', id: this.id });
  }

  #flush(): void {
    if (!this.#batch || this.#filled === 0) return;
    const data = this.#filled === this.#batch.byteLength ? this.#batch : this.#batch.subarray(0, this.#filled);
    this.link.post({ type: 'update', id: this.id, data }, [data.buffer as ArrayBuffer]);
    this.#inFlight += this.#filled;
    this.#batch = undefined;
    this.#filled = 0;
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.link.release();
  }
}
