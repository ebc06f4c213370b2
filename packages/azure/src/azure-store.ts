import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, type PartRef, type RecordCondition,
  type StoreCapabilities, StoreClosedError, type StoredRecord, type WritePartOptions,
} from '@mpu/core';
import type { ContainerClient } from '@azure/storage-blob';
import { toStoreError } from './azure-errors.js';
import { azureCapabilities } from './capabilities.js';
import { type AzureStoreOptions, resolveConfig } from './config.js';
import { DataBlobs } from './data-blobs.js';
import { RecordBlobs } from './records.js';

/**
 * The Azure Blob Storage backend. All state — records and part data — lives in one
 * container, so any number of processes can share it (capabilities.shared).
 *
 * - Records: small block blobs `<prefix>records/k<key>` with ETag compare-and-swap.
 * - Parts: blocks staged on the upload's own blob `<prefix>data/<upload>`; `assemble`
 *   commits the block list, so Complete moves no byte.
 */
export class AzureStore implements BlobStore {
  readonly capabilities: StoreCapabilities;
  /** The container this store writes to (for tests and tooling). */
  readonly container: ContainerClient;
  /** The blob name prefix this store writes under. */
  readonly prefix: string;
  readonly #records: RecordBlobs;
  readonly #data: DataBlobs;
  #closed = false;

  private constructor(options: AzureStoreOptions) {
    const config = resolveConfig(options);
    this.container = config.containerClient;
    this.prefix = config.prefix;
    this.#records = new RecordBlobs(config.containerClient, config.prefix, config.listPageSize);
    this.#data = new DataBlobs(config.containerClient, config.prefix, config);
    this.capabilities = azureCapabilities(config.blockSize, this.#records.maxKeyBytes);
  }

  /** Validates options and, with `createContainer`, creates the container if needed. */
  static async open(options: AzureStoreOptions): Promise<AzureStore> {
    const store = new AzureStore(options);
    if (options.createContainer) {
      try {
        await store.container.createIfNotExists();
      } catch (error) {
        throw toStoreError(error, 'create container');
      }
    }
    return store;
  }

  /** The handle `assemble` returns for an upload (one data blob per upload). */
  handleOf(upload: string): DataHandle {
    return this.#data.handleOf(upload);
  }

  // ── records ────────────────────────────────────────────────────────────────────────────

  async readRecord(key: string): Promise<StoredRecord | undefined> {
    this.#assertOpen();
    return this.#records.read(key);
  }

  async writeRecord(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    this.#assertOpen();
    return this.#records.write(key, value, condition);
  }

  async deleteRecord(key: string, condition: { readonly ifVersion?: string } = {}): Promise<void> {
    this.#assertOpen();
    return this.#records.delete(key, condition);
  }

  async *listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> {
    this.#assertOpen();
    yield* this.#records.list(prefix, options);
  }

  // ── part data ──────────────────────────────────────────────────────────────────────────

  async writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options: WritePartOptions = {},
  ): Promise<{ readonly size: number }> {
    this.#assertOpen();
    return this.#data.writePart(upload, partId, body, options);
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#assertOpen();
    return this.#data.assemble(upload, parts);
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    yield* this.#data.read(handle, range);
  }

  async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#assertOpen();
    return this.#data.discard(upload, partIds);
  }

  async deleteData(handle: DataHandle): Promise<void> {
    this.#assertOpen();
    return this.#data.deleteData(handle);
  }

  /** Marks the store closed. The SDK holds no per-store resource (sockets are pooled). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('azure');
  }
}

/** Factory form of `AzureStore.open`. */
export function createAzureStore(options: AzureStoreOptions): Promise<AzureStore> {
  return AzureStore.open(options);
}
