import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, type PartRef, type RecordCondition,
  RecordConditionFailedError, type StoreCapabilities, type StoredRecord, TransientStoreError, type WritePartOptions,
} from '../blob-store.js';

export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  readonly retries?: number;
  /** First backoff in ms, doubled each retry (with full jitter), capped by `maxDelayMs`. Default 50. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries a store's `TransientStoreError`s (timeouts, 5xx, throttling) with exponential
 * backoff; every other error passes through at once. What is retried, and why it is safe:
 *
 * - reads, listings, `assemble`, `discard`, `deleteData`, `deleteRecord`: idempotent by the
 *   BlobStore contract. A `read` or `listRecords` that fails midway resumes after the last
 *   byte or key it yielded, so callers never see a duplicate or a gap.
 * - `writeRecord` / `deleteRecord`: a conditional write whose first attempt landed but whose
 *   answer was lost fails its retry with RecordConditionFailedError; the retry recognises its
 *   own write (the record holds exactly its bytes, or is gone) and reports success.
 * - `writePart` is never retried: its body is a one-shot stream, already consumed.
 */
export function withRetry(store: BlobStore, options: RetryOptions = {}): BlobStore {
  return new RetryingStore(store, options);
}

class RetryingStore implements BlobStore {
  readonly #retries: number;
  readonly #base: number;
  readonly #max: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(readonly inner: BlobStore, options: RetryOptions) {
    this.#retries = options.retries ?? 4;
    this.#base = options.baseDelayMs ?? 50;
    this.#max = options.maxDelayMs ?? 2000;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  get capabilities(): StoreCapabilities {
    return this.inner.capabilities;
  }

  async #backoff(attempt: number, error: unknown): Promise<void> {
    if (!(error instanceof TransientStoreError) || attempt >= this.#retries) throw error;
    await this.#sleep(Math.random() * Math.min(this.#max, this.#base * 2 ** attempt));
  }

  async #retry<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        await this.#backoff(attempt, error);
      }
    }
  }

  readRecord(key: string): Promise<StoredRecord | undefined> {
    return this.#retry(() => this.inner.readRecord(key));
  }

  /**
   * A conditional write whose first attempt landed but whose answer was lost fails its retry
   * against itself. When an earlier attempt's outcome is unknown and the record now holds
   * exactly the bytes we wrote, that write was ours: answer with its version. (Engine records
   * carry unique content — ids, handles, timestamps — so equal bytes mean the same outcome.)
   */
  async writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string> {
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inner.writeRecord(key, value, condition);
      } catch (error) {
        if (uncertain && error instanceof RecordConditionFailedError) {
          const current = await this.readRecord(key);
          if (current && Buffer.from(current.value).equals(Buffer.from(value))) return current.version;
        }
        await this.#backoff(attempt, error);
        uncertain = true;
      }
    }
  }

  /** As for writes: a conditional delete that landed unseen finds the record gone on retry. */
  async deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    let uncertain = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.inner.deleteRecord(key, condition);
      } catch (error) {
        if (uncertain && error instanceof RecordConditionFailedError && (await this.readRecord(key)) === undefined) return;
        await this.#backoff(attempt, error);
        uncertain = true;
      }
    }
  }

  async *listRecords(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    let startAfter = options.startAfter;
    let remaining = options.limit ?? Infinity;
    for (let attempt = 0; ; attempt++) {
      if (remaining <= 0) return;
      try {
        const resumed = { ...(startAfter !== undefined ? { startAfter } : {}), ...(remaining !== Infinity ? { limit: remaining } : {}) };
        for await (const record of this.inner.listRecords(prefix, resumed)) {
          startAfter = record.key;
          remaining--;
          attempt = 0; // progress resets the budget: only consecutive failures count
          yield record;
        }
        return;
      } catch (error) {
        await this.#backoff(attempt, error);
      }
    }
  }

  writePart(upload: string, partId: string, body: AsyncIterable<Uint8Array>, options?: WritePartOptions): Promise<{ readonly size: number }> {
    return this.inner.writePart(upload, partId, body, options);
  }

  assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    return this.#retry(() => this.inner.assemble(upload, parts));
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    let offset = 0; // bytes already yielded
    for (let attempt = 0; ; attempt++) {
      if (range && range.start + offset > range.end) return;
      try {
        const stream = range
          ? this.inner.read(handle, { start: range.start + offset, end: range.end })
          : offset === 0 ? this.inner.read(handle) : this.#readFrom(handle, offset);
        for await (const chunk of stream) {
          offset += chunk.byteLength;
          attempt = 0;
          yield chunk;
        }
        return;
      } catch (error) {
        await this.#backoff(attempt, error);
      }
    }
  }

  /** The rest of a whole-object read after `offset` bytes, when the size is not known up front. */
  async *#readFrom(handle: DataHandle, offset: number): AsyncIterable<Uint8Array> {
    let skipped = 0;
    for await (const chunk of this.inner.read(handle)) {
      if (skipped + chunk.byteLength <= offset) {
        skipped += chunk.byteLength;
        continue;
      }
      yield skipped >= offset ? chunk : chunk.subarray(offset - skipped);
      skipped += chunk.byteLength;
    }
  }

  discard(upload: string, partIds?: readonly string[]): Promise<void> {
    return this.#retry(() => this.inner.discard(upload, partIds));
  }

  deleteData(handle: DataHandle): Promise<void> {
    return this.#retry(() => this.inner.deleteData(handle));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
