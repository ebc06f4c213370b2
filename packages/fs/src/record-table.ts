import { readFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ListRecordsOptions, RecordCondition, StoredRecord } from '@mpu/core';
import { RecordConditionFailedError } from '@mpu/core';
import { isMissing, unlinkIfPresent, writeFileAtomic } from './atomic-write.js';
import { decodeRecordFile, encodeRecordFile, newVersion } from './record-file.js';
import { KeyedMutex } from './keyed-mutex.js';
import { MAX_RECORD_KEY_BYTES, keyBytes, recordPath } from './key-paths.js';
import type { Layout } from './layout.js';
import { walkRecordFiles } from './record-walk.js';

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
 * Every mutation of a key runs under that key's in-process lock: read the current version,
 * check the condition, publish with temp + fsync + rename. Readers never lock: a rename
 * swaps whole files, so a reader sees the old record or the new one.
 */
export class RecordTable {
  readonly #locks = new KeyedMutex();

  constructor(
    private readonly layout: Layout,
    private readonly durable: boolean,
  ) {}

  async read(key: string): Promise<StoredRecord | undefined> {
    if (keyBytes(key).length > MAX_RECORD_KEY_BYTES) return undefined; // cannot have been written
    // Synchronous on purpose (see `list`): one small file, cheaper than four thread-pool hops.
    return readRecordFileSync(key, recordPath(this.layout.recordsDir, key));
  }

  async write(key: string, value: Uint8Array, condition: RecordCondition): Promise<string> {
    const length = keyBytes(key).length;
    if (length > MAX_RECORD_KEY_BYTES) throw new RecordKeyTooLongError(key, length, MAX_RECORD_KEY_BYTES);
    const path = recordPath(this.layout.recordsDir, key);
    return this.#locks.run(key, async () => {
      if ('ifAbsent' in condition || 'ifVersion' in condition) {
        const current = readRecordFileSync(key, path);
        if ('ifAbsent' in condition && condition.ifAbsent && current) throw new RecordConditionFailedError(key);
        if ('ifVersion' in condition && typeof condition.ifVersion === 'string' && current?.version !== condition.ifVersion) {
          throw new RecordConditionFailedError(key);
        }
      }
      const version = newVersion();
      await writeFileAtomic(this.layout.tmpDir, path, encodeRecordFile(version, value), this.durable);
      return version;
    });
  }

  async delete(key: string, condition: { readonly ifVersion?: string }): Promise<void> {
    if (keyBytes(key).length > MAX_RECORD_KEY_BYTES) {
      if (condition.ifVersion !== undefined) throw new RecordConditionFailedError(key);
      return;
    }
    const path = recordPath(this.layout.recordsDir, key);
    await this.#locks.run(key, async () => {
      if (condition.ifVersion !== undefined) {
        const current = readRecordFileSync(key, path);
        if (current?.version !== condition.ifVersion) throw new RecordConditionFailedError(key);
      }
      if (await unlinkIfPresent(path)) await this.#pruneEmptyParents(path);
    });
  }

  /**
   * Record files are read synchronously, one batch at a time, yielding to the event loop
   * between batches. For small files in the page cache this is ~4x faster than async reads
   * (one syscall round trip instead of four thread-pool hops each), which is what keeps the
   * engine's Complete of 10,000 parts (10,000 part records) well under a second; a batch
   * blocks the loop for well under a millisecond.
   */
  async *list(prefix: string, options: ListRecordsOptions): AsyncIterable<StoredRecord> {
    let remaining = options.limit ?? Infinity;
    if (remaining <= 0) return;
    for await (const batch of walkRecordFiles(this.layout.recordsDir, prefix, options.startAfter)) {
      for (const { key, path } of batch) {
        const record = readRecordFileSync(key, path);
        if (record === undefined) continue; // deleted while we walked
        yield record;
        if (--remaining <= 0) return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Remove directories a delete left empty, so finished uploads do not leave thousands of
   * empty directories for listings to open. A writer that loses its directory to this
   * recreates it (renameIntoPlace retries).
   */
  async #pruneEmptyParents(path: string): Promise<void> {
    for (let dir = dirname(path); dir.length > this.layout.recordsDir.length; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }
}

function readRecordFileSync(key: string, path: string): StoredRecord | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  const { version, value } = decodeRecordFile(path, file);
  return { key, value, version };
}
