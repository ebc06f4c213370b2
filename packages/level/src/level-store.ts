import { randomBytes } from 'node:crypto';
import { Level } from 'level';
import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, MissingPartError, type PartRef,
  RangeOutOfBoundsError, type RecordCondition, RecordConditionFailedError, type StoreCapabilities,
  StoreClosedError, type StoredRecord, UnknownHandleError, type WritePartOptions,
} from '@mpu/core';
import { DEFAULT_CHUNK_SIZE, DEFAULT_MAX_FILE_SIZE, DEFAULT_WRITE_BUFFER_SIZE, LEVEL_STORE_CAPABILITIES } from './capabilities.js';
import { rechunk } from './chunk-writer.js';
import { MissingChunkError, StoreLockedError, StoreOpenError, isLockedError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import {
  chunkKey, manifestKey, manifestRange, partChunksRange, partIdOf, partMetaKey, partMetaRange, recordKey,
  recordKeyOf, recordRange,
} from './keys.js';
import { KeyedMutex, PartTooLargeError } from '@mpu/core';
import {
  type Manifest, type ManifestPart, decodeManifest, encodeManifest, formatHandle, handleIdOf, parseHandle,
} from './manifest.js';
import { type PartSpan, chunkLength, partSpans, sliceChunk } from './read-plan.js';
import { decodePartMeta, encodePartMeta } from './part-meta.js';
import { decodeRecord, encodeRecord } from './record-codec.js';

export interface LevelStoreOptions {
  /** Directory of the LevelDB database; created if missing. One process owns it at a time. */
  readonly location: string;
  /** Bytes per chunk value for parts written from now on (default 1 MiB). */
  readonly chunkSize?: number;
  /** LevelDB memtable size (default 16 MiB; LevelDB's own default is 4 MiB). */
  readonly writeBufferSize?: number;
  /** LevelDB table file size (default 32 MiB; LevelDB's own default is 2 MiB). */
  readonly maxFileSize?: number;
}

type Database = Level<Uint8Array, Uint8Array>;
type Snapshot = ReturnType<Database['snapshot']>;

/** Bounds of one batched read of single-chunk spans: memory stays at a few chunks. */
const GET_MANY_MAX_KEYS = 256;
const GET_MANY_MAX_BYTES = 4 * 1024 * 1024;

// Lone surrogates have no UTF-8 form: encoding them would silently merge distinct keys.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The LevelDB backend. Records are keys with their version stored beside the value; part
 * bytes are ~1 MiB chunk values under zero-padded keys; `assemble` writes one manifest that
 * points at the chunks, so Complete moves no part byte. See `keys.ts` for the layout.
 */
export class LevelStore implements BlobStore {
  readonly capabilities: StoreCapabilities = LEVEL_STORE_CAPABILITIES;

  readonly #db: Database;
  readonly #chunkSize: number;
  /** Every acknowledging write goes through here: synced, and grouped with concurrent ones. */
  readonly #commit: GroupCommit;
  /** Record CAS and per-upload data operations (assemble / discard / deleteData). */
  readonly #locks = new KeyedMutex();
  /** Versions are `<random per open>.<counter>`: unique across reopens without a stored counter. */
  readonly #versionEpoch = randomBytes(6).toString('hex');
  #versionCounter = 0;
  #closed = false;
  /**
   * Parts being written by this process right now. Their meta says `writing`, like a crashed
   * writer's, but they are not orphans: discard() leaves them to their writer (which removes
   * them itself if it fails). One process owns the directory, so this set is authoritative.
   */
  readonly #inFlight = new Set<string>();

  private constructor(db: Database, chunkSize: number) {
    this.#db = db;
    this.#chunkSize = chunkSize;
    this.#commit = new GroupCommit(db);
  }

  /** Opens (creating if needed) the database; fails with `StoreLockedError` if it is in use. */
  static async open(options: LevelStoreOptions): Promise<LevelStore> {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    }
    const db: Database = new Level<Uint8Array, Uint8Array>(options.location, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open({
        createIfMissing: true,
        writeBufferSize: options.writeBufferSize ?? DEFAULT_WRITE_BUFFER_SIZE,
        maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
      });
    } catch (error) {
      if (isLockedError(error)) throw new StoreLockedError(options.location, { cause: error });
      throw new StoreOpenError(options.location, { cause: error });
    }
    return new LevelStore(db, chunkSize);
  }

  /** The database directory. */
  get location(): string {
    return this.#db.location;
  }

  // ── records ────────────────────────────────────────────────────────────────────────────

  async readRecord(key: string): Promise<StoredRecord | undefined> {
    this.#assertOpen();
    const stored = await this.#db.get(recordKey(key));
    return stored && { key, ...decodeRecord(stored) };
  }

  async writeRecord(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    this.#assertOpen();
    this.#assertRecordKey(key);
    return this.#locks.run(`r:${key}`, async () => {
      await this.#assertCondition(key, condition);
      const version = this.#nextVersion();
      await this.#commit.write([{ type: 'put', key: recordKey(key), value: encodeRecord(version, value) }]);
      return version;
    });
  }

  async deleteRecord(key: string, condition: { readonly ifVersion: string } | Record<string, never> = {}): Promise<void> {
    this.#assertOpen();
    await this.#locks.run(`r:${key}`, async () => {
      await this.#assertCondition(key, condition);
      await this.#commit.write([{ type: 'del', key: recordKey(key) }]);
    });
  }

  async *listRecords(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    this.#assertOpen();
    const limit = options.limit ?? Infinity;
    if (limit <= 0) return;
    const range = recordRange(prefix, options.startAfter);
    // The iterator reads a snapshot, so pages are consistent even while records change.
    const iterator = this.#db.iterator({ ...range, ...(Number.isFinite(limit) ? { limit } : {}) });
    for await (const [dbKey, stored] of iterator) {
      yield { key: recordKeyOf(dbKey), ...decodeRecord(stored) };
    }
  }

  // ── part data ──────────────────────────────────────────────────────────────────────────

  async writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options: WritePartOptions = {},
  ): Promise<{ readonly size: number }> {
    this.#assertOpen();
    const { signal } = options;
    signal?.throwIfAborted();
    const metaKey = partMetaKey(upload, partId);
    const flightKey = inFlightKey(upload, partId);
    this.#inFlight.add(flightKey);
    try {
      // Marks the part as present-but-unfinished, so discard() finds it if we die mid-part.
      await this.#db.put(metaKey, encodePartMeta({ state: 'writing' }));
      return await this.#writeChunks(upload, partId, body, signal);
    } finally {
      this.#inFlight.delete(flightKey);
    }
  }

  /** The body of writePart once its `writing` meta is down: chunks, then the completing batch. */
  async #writeChunks(upload: string, partId: string, body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<{ readonly size: number }> {
    const chunkSize = this.#chunkSize;
    const metaKey = partMetaKey(upload, partId);
    let size = 0;
    let index = 0;
    // The last chunk is held back so it lands in the same synced batch as the part meta.
    let held: Uint8Array | undefined;
    let pendingPut: Promise<void> = Promise.resolve();
    try {
      for await (const chunk of rechunk(body, chunkSize, signal)) {
        size += chunk.byteLength;
        if (size > this.capabilities.maxPartSize) throw new PartTooLargeError(partId, this.capabilities.maxPartSize);
        if (held) {
          // One put in flight while the next chunk fills: bounded memory, overlapped I/O.
          await pendingPut;
          pendingPut = this.#db.put(chunkKey(upload, partId, index++), held);
          pendingPut.catch(() => {}); // observed by the next await; avoids an unhandled rejection
        }
        held = chunk;
      }
      await pendingPut;
      signal?.throwIfAborted();
      const last = held ? [{ type: 'put' as const, key: chunkKey(upload, partId, index++), value: held }] : [];
      // The synced batch makes the whole log durable, including the unsynced chunk puts before it.
      await this.#commit.write([...last, { type: 'put', key: metaKey, value: encodePartMeta({ state: 'complete', size, chunkSize, chunks: index }) }]);
      return { size };
    } catch (error) {
      await pendingPut.catch(() => {});
      // Best effort: if this fails too, the `writing` meta leaves it for discard() to collect.
      if (!this.#closed) await this.#removePart(upload, partId).catch(() => {});
      throw error;
    }
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#assertOpen();
    return this.#locks.run(`u:${upload}`, async () => {
      const metas = parts.length === 0 ? [] : await this.#db.getMany(parts.map((part) => partMetaKey(upload, part.partId)));
      let offset = 0;
      const manifestParts: ManifestPart[] = parts.map(({ partId, size }, i) => {
        const stored = metas[i];
        const meta = stored && decodePartMeta(stored);
        if (meta?.state !== 'complete' || meta.size !== size) {
          throw new MissingPartError(upload, partId, size, meta?.state === 'complete' ? meta.size : undefined);
        }
        const part = { partId, size, chunkSize: meta.chunkSize, offset };
        offset += size;
        return part;
      });
      const handleId = handleIdOf(upload, parts);
      const manifest: Manifest = { upload, size: offset, parts: manifestParts };
      // One synced write publishes the object: before it nothing is visible, after it all is.
      await this.#commit.write([{ type: 'put', key: manifestKey(upload, handleId), value: encodeManifest(manifest) }]);
      return formatHandle(handleId, upload);
    });
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    // One snapshot for the whole read: an object deleted or replaced mid-stream still reads
    // back whole, exactly as it was when the read began.
    const snapshot = this.#db.snapshot();
    try {
      const manifest = await this.#loadManifest(handle, snapshot);
      if (!manifest) throw new UnknownHandleError(handle);
      if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end && range.end < manifest.size)) {
        throw new RangeOutOfBoundsError(handle, range, manifest.size);
      }
      if (manifest.size === 0) return;
      const { start, end } = range ?? { start: 0, end: manifest.size - 1 };
      // Spans needing one chunk (small parts, or a narrow range) are fetched many per getMany;
      // longer spans stream through an iterator, which reads ahead on its own.
      let singles: PartSpan[] = [];
      let singleBytes = 0;
      for (const span of partSpans(manifest, start, end)) {
        if (span.first === span.last) {
          singles.push(span);
          singleBytes += chunkLength(span.part, span.first);
          if (singles.length < GET_MANY_MAX_KEYS && singleBytes < GET_MANY_MAX_BYTES) continue;
        }
        if (singles.length > 0) {
          yield* this.#readSingles(manifest.upload, singles, snapshot);
          singles = [];
          singleBytes = 0;
        }
        if (span.first !== span.last) yield* this.#readSpan(manifest.upload, span, snapshot);
      }
      if (singles.length > 0) yield* this.#readSingles(manifest.upload, singles, snapshot);
    } finally {
      await snapshot.close();
    }
  }

  async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#assertOpen();
    await this.#locks.run(`u:${upload}`, async () => {
      const inUse = await this.#partsInUse(upload);
      const doomed = partIds ?? (await this.#stagedPartIds(upload));
      // A part an assembled handle uses is never removed, even if named: the handle owns it.
      // Nor is one still being written: it is not an orphan, and its writer cleans up on failure.
      for (const partId of doomed) {
        if (!inUse.has(partId) && !this.#inFlight.has(inFlightKey(upload, partId))) await this.#removePart(upload, partId);
      }
    });
  }

  async deleteData(handle: DataHandle): Promise<void> {
    this.#assertOpen();
    const parsed = parseHandle(handle);
    if (!parsed) return;
    await this.#locks.run(`u:${parsed.upload}`, async () => {
      const manifest = await this.#loadManifest(handle);
      if (!manifest) return;
      // Unpublish first: a crash after this leaves unreferenced parts, which discard() collects.
      await this.#commit.write([{ type: 'del', key: manifestKey(parsed.upload, parsed.handleId) }]);
      const inUse = await this.#partsInUse(parsed.upload);
      for (const { partId } of manifest.parts) if (!inUse.has(partId)) await this.#removePart(parsed.upload, partId);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────

  /** Streams one part's span through an iterator that starts at its first needed chunk. */
  async *#readSpan(upload: string, span: PartSpan, snapshot: Snapshot): AsyncIterable<Uint8Array> {
    const { part, first, last } = span;
    let index = first;
    const range = { gte: chunkKey(upload, part.partId, first), lte: chunkKey(upload, part.partId, last) };
    for await (const value of this.#db.values({ ...range, snapshot })) {
      if (value.byteLength !== chunkLength(part, index)) throw new MissingChunkError(upload, part.partId, index);
      yield sliceChunk(span, index, value);
      index++;
    }
    if (index !== last + 1) throw new MissingChunkError(upload, part.partId, index);
  }

  /** Fetches the single chunk each span needs with one getMany. */
  async *#readSingles(upload: string, spans: readonly PartSpan[], snapshot: Snapshot): AsyncIterable<Uint8Array> {
    const values = await this.#db.getMany(spans.map((span) => chunkKey(upload, span.part.partId, span.first)), { snapshot });
    for (const [i, span] of spans.entries()) {
      const value = values[i];
      if (value?.byteLength !== chunkLength(span.part, span.first)) throw new MissingChunkError(upload, span.part.partId, span.first);
      yield sliceChunk(span, span.first, value);
    }
  }

  async #loadManifest(handle: DataHandle, snapshot?: Snapshot): Promise<Manifest | undefined> {
    const parsed = parseHandle(handle);
    if (!parsed) return undefined;
    const stored = await this.#db.get(manifestKey(parsed.upload, parsed.handleId), snapshot ? { snapshot } : {});
    return stored && decodeManifest(stored);
  }

  /** Part ids any manifest of the upload references. */
  async #partsInUse(upload: string): Promise<Set<string>> {
    const inUse = new Set<string>();
    for await (const stored of this.#db.values(manifestRange(upload))) {
      for (const part of decodeManifest(stored).parts) inUse.add(part.partId);
    }
    return inUse;
  }

  /** Every part of the upload with a meta key: complete, or left `writing` by a crash. */
  async #stagedPartIds(upload: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const metaKey of this.#db.keys(partMetaRange(upload))) ids.push(partIdOf(upload, metaKey));
    return ids;
  }

  /** Chunks first, meta last: a crash in between still leaves the meta for discard() to find. */
  async #removePart(upload: string, partId: string): Promise<void> {
    await this.#db.clear(partChunksRange(upload, partId));
    await this.#db.del(partMetaKey(upload, partId));
  }

  async #assertCondition(key: string, condition: RecordCondition): Promise<void> {
    const hasIfAbsent = 'ifAbsent' in condition && condition.ifAbsent === true;
    const ifVersion = 'ifVersion' in condition && typeof condition.ifVersion === 'string' ? condition.ifVersion : undefined;
    if (!hasIfAbsent && ifVersion === undefined) return;
    const stored = await this.#db.get(recordKey(key));
    if (hasIfAbsent && stored) throw new RecordConditionFailedError(key);
    if (ifVersion !== undefined && (!stored || decodeRecord(stored).version !== ifVersion)) throw new RecordConditionFailedError(key);
  }

  #assertRecordKey(key: string): void {
    if (LONE_SURROGATE.test(key)) throw new RangeError(`record key ${JSON.stringify(key)} is not valid Unicode (lone surrogate)`);
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > this.capabilities.maxRecordKeyBytes) {
      throw new RangeError(`record key of ${bytes} bytes exceeds ${this.capabilities.maxRecordKeyBytes}`);
    }
  }

  #nextVersion(): string {
    return `${this.#versionEpoch}.${(++this.#versionCounter).toString(36)}`;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.capabilities.name);
  }
}

function inFlightKey(upload: string, partId: string): string {
  return JSON.stringify([upload, partId]);
}
