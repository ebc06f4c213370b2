import type { Bucket, Storage } from '@google-cloud/storage';
import type {
  BlobStore, ByteRange, DataHandle, ListRecordsOptions, PartRef, RecordCondition, StoreCapabilities, StoredRecord,
  WritePartOptions,
} from '@mpu/core';
import { gcsCapabilities } from './capabilities.js';
import { composeTree } from './compose-tree.js';
import { mapLimit } from './concurrency.js';
import { createClients, resolveConfig, type GcsStoreOptions, type ResolvedGcsConfig } from './config.js';
import { GcsStoreClosedError, asStoreError, httpStatusOf, retryTransient } from './gcs-errors.js';
import { ObjectNames } from './object-names.js';
import { readObject } from './object-read.js';
import { uploadPart } from './part-upload.js';
import { GcsRecords, deleteIgnoringMissing } from './records.js';

/**
 * BlobStore over one Google Cloud Storage bucket. Everything lives in the bucket, so any
 * number of processes may share it:
 *
 *   <prefix>records/<escaped key>        records; version = object generation (record-names.ts)
 *   <prefix>parts/<upload>/<partId>      staged parts, one object each
 *   <prefix>tmp/<upload>/<nonce>/…       compose-tree intermediates (deleted after assemble)
 *   <prefix>objects/<upload>/<hash>      assembled composites, named by their part list
 */
export class GcsStore implements BlobStore {
  readonly capabilities: StoreCapabilities;
  readonly #config: ResolvedGcsConfig;
  readonly #names: ObjectNames;
  readonly #retrying: Bucket;
  readonly #once: Bucket;
  readonly #composer: Bucket;
  readonly #records: GcsRecords;
  #closed = false;

  constructor(options: GcsStoreOptions) {
    this.#config = resolveConfig(options);
    const clients = createClients(options, this.#config);
    this.#retrying = clients.retrying.bucket(this.#config.bucket);
    this.#once = clients.once.bucket(this.#config.bucket);
    this.#composer = clients.composer.bucket(this.#config.bucket);
    this.#names = new ObjectNames(this.#config.prefix);
    this.capabilities = gcsCapabilities();
    this.#records = new GcsRecords(this.#retrying, this.#once, this.#config.prefix, this.#config);
  }

  /** Creates the store and checks that the bucket is reachable. */
  static async open(options: GcsStoreOptions): Promise<GcsStore> {
    const store = new GcsStore(options);
    await store.#checkBucket();
    return store;
  }

  /** The object name prefix this store lives under. */
  get prefix(): string {
    return this.#config.prefix;
  }

  /** The underlying client (for tests and tooling). */
  get storage(): Storage {
    return this.#retrying.storage;
  }

  /**
   * Lists one object under the prefix: it needs only `storage.objects.list`, which the store
   * needs anyway (bucket metadata would need `storage.buckets.get`, which object roles lack).
   */
  async #checkBucket(): Promise<void> {
    try {
      await this.#retrying.getFiles({ prefix: this.#config.prefix, maxResults: 1, autoPaginate: false });
    } catch (error) {
      throw asStoreError(error, `bucket ${this.#config.bucket}`);
    }
  }

  // ── records ────────────────────────────────────────────────────────────────────────────

  async readRecord(key: string): Promise<StoredRecord | undefined> {
    this.#assertOpen();
    return this.#records.read(key);
  }

  async writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string> {
    this.#assertOpen();
    return this.#records.write(key, value, condition);
  }

  async deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    this.#assertOpen();
    return this.#records.delete(key, condition);
  }

  async *listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> {
    this.#assertOpen();
    yield* this.#records.list(prefix, options);
  }

  // ── part data ──────────────────────────────────────────────────────────────────────────

  async writePart(upload: string, partId: string, body: AsyncIterable<Uint8Array>, options?: WritePartOptions): Promise<{ readonly size: number }> {
    this.#assertOpen();
    return uploadPart(this.#retrying, this.#names.part(upload, partId), partId, body, {
      singleRequestMaxBytes: this.#config.singleRequestMaxBytes,
      uploadChunkBytes: this.#config.uploadChunkBytes,
      maxPartSize: this.capabilities.maxPartSize,
    }, options);
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#assertOpen();
    const name = await composeTree({ retrying: this.#retrying, once: this.#once, composer: this.#composer }, this.#names, upload, parts, this.#config);
    return this.#names.handleOf(name);
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    yield* readObject(this.#retrying, handle, this.#names.objectOf(handle), range, this.#config);
  }

  /**
   * Without ids, removes every staged part of the upload. Assembled objects are composites
   * that own their bytes, so no handle needs its parts; and a retried `assemble` of the same
   * list finds its existing object by name without them.
   */
  async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#assertOpen();
    if (partIds) {
      await mapLimit(partIds, this.#config.concurrency, (partId) =>
        deleteIgnoringMissing(this.#once.file(this.#names.part(upload, partId)), this.#config.maxRetries, `discard ${partId}`),
      );
      return;
    }
    await this.#deleteAllUnder(this.#names.partsOf(upload));
  }

  /**
   * Deletes the composite and the staged parts of its upload still lying around — the parts a
   * handle "owns" in the contract's terms. (The engine discards a multipart upload's parts after
   * Complete, but a PutObject's single staged part only goes here.)
   */
  async deleteData(handle: DataHandle): Promise<void> {
    this.#assertOpen();
    const name = this.#names.objectOf(handle);
    await deleteIgnoringMissing(this.#once.file(name), this.#config.maxRetries, `delete ${handle}`);
    await this.#deleteAllUnder(this.#names.partsOfHandle(handle));
  }

  /** Lists a prefix page by page and deletes each object at its listed generation. */
  async #deleteAllUnder(prefix: string): Promise<void> {
    let pageToken: string | undefined;
    do {
      const query = { prefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) };
      const [files, next] = await retryTransient(() => this.#retrying.getFiles(query), 1, `list ${prefix}`);
      // Each delete names the listed generation: preconditioned, so the client may retry it.
      await mapLimit(files, this.#config.concurrency, async (file) => {
        try {
          await this.#retrying.file(file.name).delete({ ifGenerationMatch: Number(file.metadata.generation) });
        } catch (error) {
          const status = httpStatusOf(error);
          if (status !== 404 && status !== 412) throw asStoreError(error, `delete ${file.name}`);
        }
      });
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new GcsStoreClosedError();
  }
}

/** Factory form of `GcsStore.open`. */
export function createGcsStore(options: GcsStoreOptions): Promise<GcsStore> {
  return GcsStore.open(options);
}
