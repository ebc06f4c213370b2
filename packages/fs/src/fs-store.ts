import { mkdir, statfs } from 'node:fs/promises';
import type {
  BlobStore, ByteRange, DataHandle, ListRecordsOptions, PartRef, RecordCondition, StoreCapabilities, StoredRecord,
  WritePartOptions,
} from '@mpu/core';
import { StoreClosedError, StoreFullError } from '@mpu/core';
import { ensureDirectory } from './atomic-write.js';
import { RootPathTooLongError } from './errors.js';
import { MAX_RECORD_KEY_BYTES, MAX_ROOT_LENGTH } from './key-paths.js';
import { layoutOf } from './layout.js';
import type { Layout } from './layout.js';
import { PartStore } from './part-store.js';
import { RecordTable } from './record-table.js';
import { joinDataDirectory } from './sharing.js';
import type { Membership } from './sharing.js';
import { recover } from './recovery.js';
import type { RecoveryReport } from './recovery.js';

export const FS_STORE_CAPABILITIES: StoreCapabilities = Object.freeze({
  name: 'fs',
  assembly: 'zero-copy',
  // S3's own part limit; files could be larger, but no S3 client sends more.
  maxPartSize: 5 * 1024 ** 3,
  maxAssembleParts: Infinity,
  maxRecordKeyBytes: MAX_RECORD_KEY_BYTES,
  // Several processes on one host may share a root (not several hosts: see the README).
  shared: true,
  durable: true,
  limitSources: Object.freeze({
    maxPartSize: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html',
    maxRecordKeyBytes: 'PATH_MAX 4096 (Linux) minus the root; see packages/fs/src/key-paths.ts',
  }),
});

export interface FsStoreOptions {
  /** Data directory; created if missing. Must be on one local volume. */
  readonly root: string;
  /**
   * fsync files and directories before acknowledging (default true). Turning it off keeps
   * atomicity (rename) but an OS crash or power cut may lose acknowledged writes.
   */
  readonly fsync?: boolean;
  /**
   * Memory for recently read records (default 64 MiB), each checked against its file (one
   * stat) before use, since other processes may change them. A part record is ~200 bytes.
   */
  readonly recordCacheBytes?: number;
  /**
   * Free space (bytes) to keep on the volume (default 0). While less is free, new parts and
   * objects are refused with `StoreFullError` (507 on the wire) before a byte is written, so
   * the disk never fills under them; record writes still go through, so uploads can still be
   * completed or aborted to free space.
   */
  readonly reserveBytes?: number;
}

const DEFAULT_RECORD_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The filesystem BlobStore. Open it with `await FsStore.open({ root })`: opening joins the
 * data directory (several processes on one host may share it, see sharing.ts) and runs crash
 * recovery, both asynchronous, before the store is usable.
 */
export class FsStore implements BlobStore {
  readonly capabilities: StoreCapabilities = FS_STORE_CAPABILITIES;
  readonly #records: RecordTable;
  readonly #parts: PartStore;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #reserveBytes: number;
  #closed = false;

  private constructor(
    readonly layout: Layout,
    readonly recovery: RecoveryReport | undefined,
    private readonly membership: Membership,
    records: RecordTable,
    parts: PartStore,
    reserveBytes: number,
  ) {
    this.#records = records;
    this.#parts = parts;
    this.#reserveBytes = reserveBytes;
  }

  /** Join `root` (shared with other processes), recover from any crash, and return the open store. */
  static async open(options: FsStoreOptions): Promise<FsStore> {
    const layout = layoutOf(options.root);
    if (layout.root.length > MAX_ROOT_LENGTH) throw new RootPathTooLongError(layout.root, MAX_ROOT_LENGTH);
    const durable = options.fsync ?? true;
    await mkdir(layout.root, { recursive: true });
    const membership = await joinDataDirectory(layout, durable);
    try {
      for (const dir of [layout.tmpDir, layout.recordsDir, layout.dataDir, layout.deletingDir, layout.locksDir, layout.readingDir]) {
        await ensureDirectory(dir, durable);
      }
      const parts = new PartStore(layout, durable, FS_STORE_CAPABILITIES.maxPartSize);
      const recovery = await recover(layout, parts, { previousOwnerDied: membership.previousOwnerDied, durable });
      const records = new RecordTable(layout, durable, options.recordCacheBytes ?? DEFAULT_RECORD_CACHE_BYTES);
      return new FsStore(layout, recovery, membership, records, parts, options.reserveBytes ?? 0);
    } catch (error) {
      await membership.leave();
      throw error;
    }
  }

  // ── records ────────────────────────────────────────────────────────────────────────────

  readRecord(key: string): Promise<StoredRecord | undefined> {
    return this.#run(() => this.#records.read(key));
  }

  writeRecord(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    return this.#run(() => this.#records.write(key, value, condition));
  }

  deleteRecord(key: string, condition: { readonly ifVersion: string } | Record<string, never> = {}): Promise<void> {
    return this.#run(() => this.#records.delete(key, condition));
  }

  async *listRecords(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    this.#assertOpen();
    yield* this.#records.list(prefix, options);
  }

  // ── part data ──────────────────────────────────────────────────────────────────────────

  writePart(upload: string, partId: string, body: AsyncIterable<Uint8Array>, options: WritePartOptions = {}): Promise<{ readonly size: number }> {
    return this.#run(async () => {
      await this.#checkReserve();
      return this.#parts.writePart(upload, partId, body, options);
    });
  }

  assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    return this.#run(() => this.#parts.assemble(upload, parts));
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    yield* this.#parts.read(handle, range);
  }

  discard(upload: string, partIds?: readonly string[]): Promise<void> {
    return this.#run(() => this.#parts.discard(upload, partIds));
  }

  deleteData(handle: DataHandle): Promise<void> {
    return this.#run(() => this.#parts.deleteData(handle));
  }

  /** Waits for writes in progress, then leaves the data directory. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    await this.#records.idle();
    await this.#parts.idle();
    await this.membership.leave();
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────

  async #run<T>(operation: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    const promise = operation();
    this.#inFlight.add(promise);
    try {
      return await promise;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new StoreFullError(this.capabilities.name, `no space left for mpu data under ${this.layout.root} (${code})`, { cause: error });
      }
      throw error;
    } finally {
      this.#inFlight.delete(promise);
    }
  }

  async #checkReserve(): Promise<void> {
    if (this.#reserveBytes <= 0) return;
    const volume = await statfs(this.layout.root);
    const free = volume.bavail * volume.bsize;
    if (free < this.#reserveBytes) {
      throw new StoreFullError(this.capabilities.name, `free space under ${this.layout.root} (${free} bytes) is below the reserve of ${this.#reserveBytes} bytes`);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.capabilities.name);
  }
}
