import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ListRecordsOptions, RecordCondition, StoredRecord } from '@mpu/core';
import { RecordConditionFailedError } from '@mpu/core';
import { isMissing, writeFileAtomic } from './atomic-write.js';
import { DirectoryListings } from './directory-listings.js';
import { DirectoryPruner } from './directory-pruner.js';
import { decodeRecordFile, encodeRecordFile, newVersion } from './record-file.js';
import { FileLocks } from './file-locks.js';
import { type Stamp, stampOf } from './file-stamp.js';
import { RecordCache } from './record-cache.js';
import { MAX_RECORD_KEY_BYTES, keyBytes, recordPath } from './key-paths.js';
import type { Layout } from './layout.js';
import { walkRecordFiles } from './record-walk.js';

/** Directories this big keep their sorted listing in memory until they change (see directory-listings.ts). */
const LISTING_CACHE_MIN_ENTRIES = 256;
const LISTING_CACHE_DIRECTORIES = 64;

/** Thrown when a record key is longer than `maxRecordKeyBytes`. */
export class RecordKeyTooLongError extends RangeError {
  override readonly name = 'RecordKeyTooLongError';
  constructor(
    readonly key: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`record key of ${bytes} bytes exceeds ${maxBytes}`);
  }
}

/**
 * Records as files (see key-paths.ts for the name mapping and record-file.ts for the format).
 * Every mutation of a key runs under that key's lock, shared by every process on the
 * directory (file-locks.ts): read the current version, check the condition, publish with
 * temp + fsync + rename. Readers never lock: a rename swaps whole files, so a reader sees the
 * old record or the new one.
 *
 * Another process may change any record at any time: the condition check under the lock
 * reads the file itself, and cached records are used only while their file's stamp holds
 * (record-cache.ts, file-stamp.ts).
 */
export class RecordTable {
  readonly #locks: FileLocks;
  readonly #pruner: DirectoryPruner;
  readonly #cache: RecordCache;
  readonly #listings = new DirectoryListings(LISTING_CACHE_MIN_ENTRIES, LISTING_CACHE_DIRECTORIES);

  constructor(
    private readonly layout: Layout,
    private readonly durable: boolean,
    cacheBytes: number,
  ) {
    this.#locks = new FileLocks(layout.locksDir);
    this.#cache = new RecordCache(cacheBytes);
    this.#pruner = new DirectoryPruner(layout.recordsDir, (dir) => {
      this.#listings.changed(dir);
      this.#listings.changed(dirname(dir));
    });
  }

  async read(key: string): Promise<StoredRecord | undefined> {
    if (keyBytes(key).length > MAX_RECORD_KEY_BYTES) return undefined; // cannot have been written
    return this.#load(key, recordPath(this.layout.recordsDir, key));
  }

  async write(key: string, value: Uint8Array, condition: RecordCondition): Promise<string> {
    const length = keyBytes(key).length;
    if (length > MAX_RECORD_KEY_BYTES) throw new RecordKeyTooLongError(key, length, MAX_RECORD_KEY_BYTES);
    const path = recordPath(this.layout.recordsDir, key);
    return this.#locks.run(`record:${key}`, async () => {
      if ('ifAbsent' in condition || 'ifVersion' in condition) {
        const current = readRecordFileSync(key, path)?.record;
        if ('ifAbsent' in condition && condition.ifAbsent && current) throw new RecordConditionFailedError(key);
        if ('ifVersion' in condition && typeof condition.ifVersion === 'string' && current?.version !== condition.ifVersion) {
          throw new RecordConditionFailedError(key);
        }
      }
      const version = newVersion();
      const file = encodeRecordFile(version, value);
      try {
        await writeFileAtomic(this.layout.tmpDir, path, file, this.durable);
      } finally {
        this.#cache.delete(key); // a fresh file's stamp is not settled yet: read it again next time
        // The file is new in its directory, and any directory created for it is new in its
        // parent: every listing from here up is stale. (Called after the change: a listing
        // read meanwhile is then not kept.)
        for (let dir = dirname(path); dir.length >= this.layout.recordsDir.length; dir = dirname(dir)) this.#listings.changed(dir);
      }
      return version;
    });
  }

  async delete(key: string, condition: { readonly ifVersion?: string }): Promise<void> {
    if (keyBytes(key).length > MAX_RECORD_KEY_BYTES) {
      if (condition.ifVersion !== undefined) throw new RecordConditionFailedError(key);
      return;
    }
    const path = recordPath(this.layout.recordsDir, key);
    await this.#locks.run(`record:${key}`, async () => {
      if (condition.ifVersion !== undefined) {
        const current = readRecordFileSync(key, path)?.record;
        if (current?.version !== condition.ifVersion) throw new RecordConditionFailedError(key);
      }
      // Synchronous unlink: one metadata syscall, and the engine deletes records in long
      // sequential runs (10,000 part records after a Complete). Not followed by a directory
      // fsync: after an OS crash (not a process crash) a deleted record may reappear; every
      // engine cleanup that deletes records is idempotent and is simply repeated.
      const removed = unlinkSyncIfPresent(path);
      this.#cache.delete(key);
      this.#listings.changed(dirname(path));
      if (removed) this.#pruner.schedule(dirname(path));
    });
  }

  /**
   * A streaming walk of the record directories; values come from the cache or synchronous
   * reads (see #load), one batch of files at a time, yielding to the event loop between
   * batches so a long listing never blocks other requests for more than a batch.
   */
  async *list(prefix: string, options: ListRecordsOptions): AsyncIterable<StoredRecord> {
    let remaining = options.limit ?? Infinity;
    if (remaining <= 0) return;
    for await (const batch of walkRecordFiles(this.#listings, this.layout.recordsDir, prefix, options.startAfter)) {
      for (const { key, path } of batch) {
        const record = this.#load(key, path);
        if (record === undefined) continue; // deleted while we walked
        yield record;
        if (--remaining <= 0) return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The cached record if its file is unchanged (one stat), else the file (then cached if its
   * stamp is settled). Synchronous on purpose: one small file costs less than the four
   * thread-pool hops of an async read.
   */
  #load(key: string, path: string): StoredRecord | undefined {
    const cached = this.#cache.get(key);
    if (cached) {
      const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (stats && stampOf(stats).stamp === cached.stamp) return { key, value: cached.value.slice(), version: cached.version };
      this.#cache.delete(key);
    }
    const read = readRecordFileSync(key, path);
    if (read?.stamp.settled) this.#cache.set(key, read.record.value.slice(), read.record.version, read.stamp.stamp);
    return read?.record;
  }

  /** Resolves when no background directory pruning is pending. */
  idle(): Promise<void> {
    return this.#pruner.idle();
  }
}

/** Reused by every synchronous record read (single-threaded: no two reads overlap). */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

/**
 * open + fstat + read + close: records are small, so one read into a scratch buffer almost
 * always gets the whole file; a bigger one (an upload record listing 10,000 parts) falls back
 * to readFileSync. The fstat stamps the very file read, for the cache.
 */
function readRecordFileSync(key: string, path: string): { readonly record: StoredRecord; readonly stamp: Stamp } | undefined {
  let file: Buffer;
  let stamp: Stamp;
  try {
    const fd = openSync(path, 'r');
    try {
      stamp = stampOf(fstatSync(fd, { bigint: true }));
      const length = readSync(fd, SCRATCH, 0, SCRATCH.length, 0);
      // decodeRecordFile copies the value out, so the scratch buffer is free again on return.
      file = length < SCRATCH.length ? SCRATCH.subarray(0, length) : readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const { version, value } = decodeRecordFile(path, file);
  return { record: { key, value, version }, stamp };
}

function unlinkSyncIfPresent(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}
