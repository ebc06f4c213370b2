import { randomUUID } from 'node:crypto';
import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import {
  compareUtf8, type ListRecordsOptions, type RecordCondition, RecordConditionFailedError, type StoredRecord,
} from '@mpu/core';
import { isConditionFailure, isNotFound, toStoreError } from './azure-errors.js';
import { decodeKey, encodedListingPrefix, encodeKey, InvalidEncodedKeyError, isWellFormed, maxKeyBytesFor } from './key-encoding.js';
import { readAll } from './streams.js';

/** Azure's limit on a blob name, in characters. https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names */
export const MAX_BLOB_NAME_CHARS = 1024;
/** Values up to this size are also kept in blob metadata, so a listing needs no extra GET. */
const INLINE_VALUE_BYTES = 2048;
/** Metadata names (Azure lower-cases them). `w`: writer nonce; `v`: base64 value copy. */
const WRITER = 'w';
const VALUE = 'v';
/** Every encoded key starts with this, so the empty key still names a blob not ending in `/`. */
const KEY_MARK = 'k';
const LIST_PAGE_SIZE = 1000;
const LIST_FETCH_CONCURRENCY = 16;

/** Thrown for a record key this store cannot name (too long, or lone surrogates). */
export class RecordKeyNotStorableError extends RangeError {
  override readonly name = 'RecordKeyNotStorableError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`record key ${JSON.stringify(key.slice(0, 64))}${key.length > 64 ? '…' : ''} cannot be stored: ${reason}`);
  }
}

/**
 * Records as small block blobs under `<prefix>records/k<encoded key>`. The blob ETag is the
 * record version; creation is `If-None-Match: *` and a swap is `If-Match: <etag>`, so Azure
 * picks exactly one winner among racing writers, in any number of processes.
 */
export class RecordBlobs {
  readonly #container: ContainerClient;
  readonly #namePrefix: string;
  readonly maxKeyBytes: number;

  constructor(container: ContainerClient, storePrefix: string) {
    this.#container = container;
    this.#namePrefix = `${storePrefix}records/${KEY_MARK}`;
    this.maxKeyBytes = maxKeyBytesFor(MAX_BLOB_NAME_CHARS - Buffer.byteLength(this.#namePrefix, 'utf8'));
  }

  async read(key: string): Promise<StoredRecord | undefined> {
    try {
      const response = await this.#blob(key).download();
      const value = await readAll(response.readableStreamBody);
      return { key, value, version: requireEtag(response.etag) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toStoreError(error, 'record read');
    }
  }

  async write(key: string, value: Uint8Array, condition: RecordCondition): Promise<string> {
    const blob = this.#blob(key);
    // A nonce of this write: when the SDK retries a conditional write whose first attempt
    // succeeded but whose response was lost, the retry fails its condition against our own
    // write. Finding our nonce on the blob tells that case apart from a real conflict.
    const writer = randomUUID();
    const metadata: Record<string, string> = { [WRITER]: writer };
    if (value.byteLength <= INLINE_VALUE_BYTES) metadata[VALUE] = Buffer.from(value).toString('base64');
    const conditions =
      'ifAbsent' in condition && condition.ifAbsent ? { ifNoneMatch: '*' }
      : 'ifVersion' in condition && typeof condition.ifVersion === 'string' ? { ifMatch: condition.ifVersion }
      : {};
    try {
      const response = await blob.upload(value, value.byteLength, { conditions, metadata });
      return requireEtag(response.etag);
    } catch (error) {
      if (!isConditionFailure(error)) throw toStoreError(error, 'record write');
      const current = await blob.getProperties().catch(() => undefined);
      if (current?.metadata?.[WRITER] === writer) return requireEtag(current.etag);
      throw new RecordConditionFailedError(key, { cause: error });
    }
  }

  async delete(key: string, condition: { readonly ifVersion?: string }): Promise<void> {
    const blob = this.#blob(key);
    try {
      if (condition.ifVersion === undefined) await blob.deleteIfExists();
      else await blob.delete({ conditions: { ifMatch: condition.ifVersion } });
    } catch (error) {
      if (condition.ifVersion !== undefined && (isConditionFailure(error) || isNotFound(error))) {
        throw new RecordConditionFailedError(key, { cause: error });
      }
      throw toStoreError(error, 'record delete');
    }
  }

  async *list(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    const limit = options.limit ?? Infinity;
    if (limit <= 0) return;
    const { startAfter } = options;
    let yielded = 0;
    const pages = this.#container
      .listBlobsFlat({ prefix: this.#namePrefix + encodedListingPrefix(prefix), includeMetadata: true })
      .byPage({ maxPageSize: LIST_PAGE_SIZE });
    // The names are ASCII in an order-preserving encoding, so the service's name order is the
    // keys' UTF-8 byte order; only the partial 3-byte group of `prefix` needs filtering here.
    for await (const page of pages) {
      const wanted: { key: string; item: BlobItem }[] = [];
      for (const item of page.segment.blobItems) {
        const key = this.#keyOf(item.name);
        if (key === undefined || !key.startsWith(prefix)) continue;
        if (startAfter !== undefined && compareUtf8(key, startAfter) <= 0) continue;
        wanted.push({ key, item });
        if (yielded + wanted.length >= limit) break;
      }
      for (const record of await this.#values(wanted)) {
        if (!record) continue; // deleted between listing and reading
        yield record;
        if (++yielded >= limit) return;
      }
    }
  }

  assertStorable(key: string): void {
    if (!isWellFormed(key)) throw new RecordKeyNotStorableError(key, 'it holds lone UTF-16 surrogates');
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > this.maxKeyBytes) {
      throw new RecordKeyNotStorableError(key, `${bytes} UTF-8 bytes exceed this store's ${this.maxKeyBytes}`);
    }
  }

  #blob(key: string) {
    this.assertStorable(key);
    return this.#container.getBlockBlobClient(this.#namePrefix + encodeKey(key));
  }

  #keyOf(name: string): string | undefined {
    try {
      return decodeKey(name.slice(this.#namePrefix.length));
    } catch (error) {
      if (error instanceof InvalidEncodedKeyError) return undefined; // a foreign blob: not ours
      throw error;
    }
  }

  /** Values of listed records: from metadata when inlined, else fetched a few at a time. */
  async #values(wanted: readonly { key: string; item: BlobItem }[]): Promise<(StoredRecord | undefined)[]> {
    const out: (StoredRecord | undefined)[] = new Array(wanted.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < wanted.length) {
        const index = next++;
        const { key, item } = wanted[index]!;
        const inline = item.metadata?.[VALUE];
        const etag = item.properties.etag;
        out[index] =
          inline !== undefined && etag !== undefined
            ? { key, value: new Uint8Array(Buffer.from(inline, 'base64')), version: requireEtag(etag) }
            : await this.read(key);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_FETCH_CONCURRENCY, wanted.length) }, worker));
    return out;
  }
}

/**
 * Record versions are ETags in their quoted header form. Blob listings carry them unquoted
 * (`<Etag>0x8D…</Etag>`), so both paths normalise here to give one version per write.
 */
function requireEtag(etag: string | undefined): string {
  if (etag === undefined) throw new Error('Azure returned no ETag for a record blob');
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
