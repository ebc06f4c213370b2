import { randomUUID } from 'node:crypto';
import type { Bucket, File } from '@google-cloud/storage';
import { RecordConditionFailedError, type ListRecordsOptions, type RecordCondition, type StoredRecord } from '@mpu/core';
import { mapLimit } from './concurrency.js';
import { asStoreError, httpStatusOf, retryTransient } from './gcs-errors.js';
import { downloadSmall } from './object-download.js';
import { escapeKey, type ObjectNames } from './object-names.js';

/** Custom metadata naming the write that produced a record generation (see `writeRecord`). */
const WRITE_ID = 'mpu-write-id';
const LIST_PAGE = 1000;

/**
 * Records are small objects; the version is the object's generation. Conditions map to GCS
 * generation preconditions: ifAbsent → `ifGenerationMatch=0`, ifVersion → `ifGenerationMatch=N`.
 * GCS evaluates them atomically per object, so exactly one racing writer wins.
 */
export class GcsRecords {
  constructor(
    private readonly retrying: Bucket,
    private readonly once: Bucket,
    private readonly names: ObjectNames,
    private readonly maxRetries: number,
    private readonly concurrency: number,
    private readonly stallMs: number,
  ) {}

  async read(key: string): Promise<StoredRecord | undefined> {
    const name = this.names.record(key);
    try {
      const { bytes, generation } = await downloadSmall(this.retrying.file(name), this.stallMs);
      return { key, value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), version: generation };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw asStoreError(error, `read record ${key}`);
    }
  }

  /**
   * Conditional writes are retried by the client (they are safe to repeat), which opens one
   * ambiguity: a first attempt that succeeded but whose response was lost makes the retry fail
   * with 412. Each write therefore tags its object with a unique id, and a 412 whose live
   * object carries our id is our own success.
   */
  async write(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    const name = this.names.record(key);
    const ifGenerationMatch = generationCondition(key, condition);
    const writeId = randomUUID();
    const conditional = ifGenerationMatch !== undefined;
    const file = (conditional ? this.retrying : this.once).file(name);
    try {
      await file.save(Buffer.from(value.buffer, value.byteOffset, value.byteLength), {
        resumable: false,
        validation: 'crc32c',
        contentType: 'application/octet-stream',
        metadata: { metadata: { [WRITE_ID]: writeId } },
        ...(conditional ? { preconditionOpts: { ifGenerationMatch } } : {}),
      });
      return String(file.metadata.generation);
    } catch (error) {
      if (httpStatusOf(error) === 412) {
        const live = await this.#liveWriteId(name);
        if (live?.writeId === writeId) return live.generation;
        throw new RecordConditionFailedError(key, { cause: error });
      }
      throw asStoreError(error, `write record ${key}`);
    }
  }

  async #liveWriteId(name: string): Promise<{ writeId: string | undefined; generation: string } | undefined> {
    try {
      const [metadata] = await this.retrying.file(name).getMetadata();
      const custom = metadata.metadata as Record<string, unknown> | undefined;
      const writeId = custom?.[WRITE_ID];
      return { writeId: typeof writeId === 'string' ? writeId : undefined, generation: String(metadata.generation) };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw asStoreError(error, `stat ${name}`);
    }
  }

  async delete(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    const name = this.names.record(key);
    if (condition?.ifVersion !== undefined) {
      const ifGenerationMatch = generationCondition(key, condition);
      try {
        await this.retrying.file(name).delete({ ifGenerationMatch });
      } catch (error) {
        // 404: nothing to delete, so the version cannot match. 412: another version is live.
        // (A retried delete that had in fact succeeded also lands here; the engine treats a
        // failed conditional delete as "someone else moved on", which is then true.)
        const status = httpStatusOf(error);
        if (status === 404 || status === 412) throw new RecordConditionFailedError(key, { cause: error });
        throw asStoreError(error, `delete record ${key}`);
      }
      return;
    }
    await deleteIgnoringMissing(this.once.file(name), this.maxRetries, `delete record ${key}`);
  }

  /**
   * Lists by name prefix from `startOffset` (GCS lists in UTF-8 byte order, which the key
   * escaping preserves), then fetches values pinned to the listed generation, a page at a
   * time with bounded concurrency.
   */
  async *list(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    let remaining = options.limit ?? Infinity;
    if (remaining <= 0) return;
    const startAfterName = options.startAfter === undefined ? undefined : this.names.record(options.startAfter);
    // Escaping is byte-wise and prefix-free, so the escaped prefix is a prefix of escaped keys.
    const namePrefix = this.names.recordsPrefix + escapeKey(prefix);
    let pageToken: string | undefined;
    do {
      const query = {
        prefix: namePrefix,
        autoPaginate: false,
        maxResults: Math.min(LIST_PAGE, remaining === Infinity ? LIST_PAGE : remaining + 1),
        ...(startAfterName !== undefined ? { startOffset: startAfterName } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      };
      const [files, next] = await retryTransient(() => this.retrying.getFiles(query), 1, `list records ${prefix}`);
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
      const listed = files.filter((file) => file.name !== startAfterName).slice(0, remaining === Infinity ? undefined : remaining);
      const records = await mapLimit(listed, this.concurrency, (file) => this.#readListed(file));
      for (const record of records) {
        if (!record) continue;
        yield record;
        remaining--;
        if (remaining <= 0) return;
      }
    } while (pageToken);
  }

  /** The listed generation's value, or the newest one if it was replaced meanwhile (skip if deleted). */
  async #readListed(file: File): Promise<StoredRecord | undefined> {
    const key = this.names.keyOf(file.name);
    const generation = file.metadata.generation;
    try {
      const pinned = this.retrying.file(file.name, generation === undefined ? {} : { generation: Number(generation) });
      const { bytes, generation: read } = await downloadSmall(pinned, this.stallMs);
      return { key, value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), version: read };
    } catch (error) {
      if (httpStatusOf(error) === 404) return this.read(key);
      throw asStoreError(error, `read record ${key}`);
    }
  }
}


/** The generation a record condition requires, or undefined for an unconditional write. */
function generationCondition(key: string, condition: RecordCondition): number | undefined {
  if ('ifAbsent' in condition && condition.ifAbsent) return 0;
  if ('ifVersion' in condition && typeof condition.ifVersion === 'string') {
    // Versions are generations (positive integers); anything else can never match.
    if (!/^[1-9]\d{0,15}$/.test(condition.ifVersion)) throw new RecordConditionFailedError(key);
    return Number(condition.ifVersion);
  }
  return undefined;
}

/** Deletes a name; absence counts as done, so the delete is idempotent and safe to retry. */
export async function deleteIgnoringMissing(file: File, maxRetries: number, what: string): Promise<void> {
  await retryTransient(
    async () => {
      try {
        await file.delete();
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
    },
    maxRetries + 1,
    what,
  );
}
