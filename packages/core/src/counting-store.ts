import type {
  BlobStore, ByteRange, DataHandle, ListRecordsOptions, PartRef, RecordCondition, StoreCapabilities,
  StoredRecord, WritePartOptions,
} from './blob-store.js';

export type BlobStoreMethod =
  | 'readRecord' | 'writeRecord' | 'deleteRecord' | 'listRecords'
  | 'writePart' | 'assemble' | 'read' | 'discard' | 'deleteData' | 'close';

export interface StoreCounts {
  /** Calls per method since the last `reset()` (methods never called are 0). */
  readonly calls: Readonly<Record<BlobStoreMethod, number>>;
  /** Part bytes that streamed into `writePart`. */
  readonly bytesWritten: number;
  /** Object bytes that streamed out of `read`. */
  readonly bytesRead: number;
}

const METHODS: readonly BlobStoreMethod[] = [
  'readRecord', 'writeRecord', 'deleteRecord', 'listRecords',
  'writePart', 'assemble', 'read', 'discard', 'deleteData', 'close',
];

function zeroCalls(): Record<BlobStoreMethod, number> {
  return Object.fromEntries(METHODS.map((method) => [method, 0])) as Record<BlobStoreMethod, number>;
}

/**
 * A decorator that counts what passes through a BlobStore. Tests use it to prove, for
 * example, that Complete reads back no part bytes (`bytesRead` stays 0 across it).
 */
export class CountingStore implements BlobStore {
  #calls = zeroCalls();
  #bytesWritten = 0;
  #bytesRead = 0;

  constructor(readonly inner: BlobStore) {}

  get capabilities(): StoreCapabilities {
    return this.inner.capabilities;
  }

  snapshot(): StoreCounts {
    return { calls: { ...this.#calls }, bytesWritten: this.#bytesWritten, bytesRead: this.#bytesRead };
  }

  reset(): void {
    this.#calls = zeroCalls();
    this.#bytesWritten = 0;
    this.#bytesRead = 0;
  }

  readRecord(key: string): Promise<StoredRecord | undefined> {
    this.#calls.readRecord++;
    return this.inner.readRecord(key);
  }

  writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string> {
    this.#calls.writeRecord++;
    return this.inner.writeRecord(key, value, condition);
  }

  deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    this.#calls.deleteRecord++;
    return this.inner.deleteRecord(key, condition);
  }

  listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> {
    this.#calls.listRecords++;
    return this.inner.listRecords(prefix, options);
  }

  writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options?: WritePartOptions,
  ): Promise<{ readonly size: number }> {
    this.#calls.writePart++;
    return this.inner.writePart(upload, partId, this.#countInto(body, 'written'), options);
  }

  assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#calls.assemble++;
    return this.inner.assemble(upload, parts);
  }

  read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#calls.read++;
    return this.#countInto(this.inner.read(handle, range), 'read');
  }

  discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#calls.discard++;
    return this.inner.discard(upload, partIds);
  }

  deleteData(handle: DataHandle): Promise<void> {
    this.#calls.deleteData++;
    return this.inner.deleteData(handle);
  }

  close(): Promise<void> {
    this.#calls.close++;
    return this.inner.close();
  }

  async *#countInto(source: AsyncIterable<Uint8Array>, direction: 'written' | 'read'): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      if (direction === 'written') this.#bytesWritten += chunk.byteLength;
      else this.#bytesRead += chunk.byteLength;
      yield chunk;
    }
  }
}
