import { randomUUID } from 'node:crypto';
import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import {
  compareUtf8, type ListRecordsOptions, type RecordCondition, RecordConditionFailedError, type StoredRecord,
} from '@mpu/core';
import { isConditionFailure, isNotFound, toStoreError } from './azure-errors.js';
import { isWellFormed } from './key-encoding.js';
import { ListResumeMarkers } from './list-resume.js';
import { MAX_RECORD_KEY_BYTES, RecordNames } from './record-names.js';
import { readAll } from './streams.js';

/** Values up to this size are also kept in blob metadata, so a listing needs no extra GET. */
const INLINE_VALUE_BYTES = 2048;
/**
 * Metadata names (Azure lower-cases them). `w`: writer nonce; `v`: base64 value copy;
 * `k`: base64 key, for keys too long to be spelled out in the blob name.
 */
const WRITER = 'w';
const VALUE = 'v';
const LONG_KEY = 'k';
const DEFAULT_LIST_PAGE_SIZE = 1000;
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
  readonly #names: RecordNames;
  readonly #pageSize: number;
  readonly #resume = new ListResumeMarkers();
  readonly maxKeyBytes = MAX_RECORD_KEY_BYTES;

  constructor(container: ContainerClient, storePrefix: string, listPageSize = DEFAULT_LIST_PAGE_SIZE) {
    this.#container = container;
    this.#names = new RecordNames(storePrefix);
    this.#pageSize = listPageSize;
  }

  async read(key: string): Promise<StoredRecord | undefined> {
    try {
      const response = await this.#blob(key).download();
      const value = await readAll(response.readableStreamBody);
      // A long key is named by a hash: make sure the blob really is this key's.
      if (this.#names.isLong(key) && response.metadata?.[LONG_KEY] !== base64Key(key)) return undefined;
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
    if (this.#names.isLong(key)) metadata[LONG_KEY] = base64Key(key);
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
      // If this check itself fails, the outcome is unknown: say so rather than guess.
      const current = await blob.getProperties().catch((checkError: unknown) => {
        if (isNotFound(checkError)) return undefined;
        throw toStoreError(checkError, 'record write check');
      });
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
    const namePrefix = this.#names.listingPrefixOf(prefix);
    const marker = startAfter === undefined ? undefined : this.#resume.get(namePrefix, startAfter);
    let yielded = 0;
    let batch: ListedRecord[] = [];
    let lastYielded: ListedRecord | undefined;
    try {
      for await (const listed of this.#orderedListing(namePrefix, marker)) {
        const last = listed === LISTING_END;
        if (!last) {
          if (!listed.key.startsWith(prefix)) continue;
          if (startAfter !== undefined && compareUtf8(listed.key, startAfter) <= 0) continue;
          batch.push(listed);
        }
        // Values are resolved a batch at a time, so the GETs of non-inlined ones run in parallel.
        if (last || yielded + batch.length >= limit || batch.length >= this.#pageSize) {
          const listedBatch = batch;
          const records = await this.#values(listedBatch);
          batch = [];
          for (const [index, record] of records.entries()) {
            if (!record) continue; // deleted between listing and reading
            lastYielded = listedBatch[index];
            yield record;
            if (++yielded >= limit) return;
          }
        }
      }
    } catch (error) {
      // A marker the service no longer accepts: forget it, so the next call lists from the start.
      if (marker !== undefined && startAfter !== undefined) this.#resume.forget(namePrefix, startAfter);
      throw toStoreError(error, 'list records');
    } finally {
      // The caller's next page will most likely start after the last record it saw.
      if (lastYielded?.pageMarker !== undefined) this.#resume.remember(namePrefix, lastYielded.key, lastYielded.pageMarker);
    }
  }

  /**
   * Listed records in UTF-8 key order. Names are in key order already except inside a run of
   * long keys sharing a head (record-names.ts), which is collected and sorted by full key.
   */
  async *#orderedListing(namePrefix: string, marker: string | undefined): AsyncIterable<ListedRecord | typeof LISTING_END> {
    let run: { head: string; records: ListedRecord[] } | undefined;
    const endRun = (): ListedRecord[] => {
      const records = run?.records.sort((a, b) => compareUtf8(a.key, b.key)) ?? [];
      run = undefined;
      return records;
    };
    const pages = this.#container
      .listBlobsFlat({ prefix: namePrefix, includeMetadata: true })
      .byPage({ maxPageSize: this.#pageSize, ...(marker === undefined ? {} : { continuationToken: marker }) });
    let pageMarker = marker; // the marker that fetched the current page (undefined: the first)
    for await (const page of pages) {
      const thisPage = pageMarker;
      pageMarker = page.continuationToken || undefined;
      for (const item of page.segment.blobItems) {
        const parsed = this.#names.parse(item.name);
        if (!parsed) continue; // a foreign blob: not ours
        if ('run' in parsed) {
          const encodedKey = item.metadata?.[LONG_KEY];
          if (encodedKey === undefined) continue;
          if (run?.head !== parsed.run) {
            yield* endRun();
            run = { head: parsed.run, records: [] };
          }
          run.records.push({ key: Buffer.from(encodedKey, 'base64').toString('utf8'), item });
          continue;
        }
        yield* endRun();
        // Only a short key is a safe resume point: a long key's run may have begun on an
        // earlier page, with members that sort after it.
        yield { key: parsed.key, item, ...(thisPage === undefined ? {} : { pageMarker: thisPage }) };
      }
    }
    yield* endRun();
    yield LISTING_END;
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
    return this.#container.getBlockBlobClient(this.#names.nameOf(key));
  }

  /** Values of listed records: from metadata when inlined, else fetched a few at a time. */
  async #values(wanted: readonly ListedRecord[]): Promise<(StoredRecord | undefined)[]> {
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

/** Marks the end of a listing, so the last batch is resolved in the same loop. */
const LISTING_END = Symbol('listing end');

interface ListedRecord {
  readonly key: string;
  readonly item: BlobItem;
  /** Marker of the listing page that held this (short) key, when it was not the first page. */
  readonly pageMarker?: string;
}

function base64Key(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64');
}

/**
 * Record versions are ETags in their quoted header form. Blob listings carry them unquoted
 * (`<Etag>0x8D…</Etag>`), so both paths normalise here to give one version per write.
 */
function requireEtag(etag: string | undefined): string {
  if (etag === undefined) throw new Error('Azure returned no ETag for a record blob');
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
