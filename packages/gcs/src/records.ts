import { randomUUID } from 'node:crypto';
import type { Bucket, File } from '@google-cloud/storage';
import {
  RecordConditionFailedError, compareUtf8, type ListRecordsOptions, type RecordCondition, type StoredRecord,
} from '@mpu/core';
import { mapLimit } from './concurrency.js';
import { asStoreError, httpStatusOf, retryTransient } from './gcs-errors.js';
import { downloadSmall } from './object-download.js';
import { HASH_HEX_CHARS, LONG_KEY_FIELD, RecordNames } from './record-names.js';

/** Custom metadata naming the write that produced a record generation (see `write`). */
const WRITE_ID = 'mpu-write-id';
const LIST_PAGE = 1000;

interface Listed {
  readonly key: string;
  readonly name: string;
  readonly generation: string | undefined;
}

export interface RecordSettings {
  readonly maxRetries: number;
  readonly concurrency: number;
  readonly stallMs: number;
}

/**
 * Records are small objects; the version is the object's generation. Conditions map to GCS
 * generation preconditions: ifAbsent → `ifGenerationMatch=0`, ifVersion → `ifGenerationMatch=N`.
 * GCS evaluates them atomically per object, so exactly one racing writer wins.
 */
export class GcsRecords {
  readonly names: RecordNames;

  constructor(
    private readonly retrying: Bucket,
    private readonly once: Bucket,
    storePrefix: string,
    private readonly settings: RecordSettings,
  ) {
    this.names = new RecordNames(storePrefix);
  }

  async read(key: string): Promise<StoredRecord | undefined> {
    const { name } = this.names.nameOf(key);
    try {
      const { bytes, generation } = await downloadSmall(this.retrying.file(name), this.settings.stallMs);
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
   * object carries our id is our own success. Unconditional writes are never retried here
   * (the engine's `withRetry` sees a TransientStoreError).
   */
  async write(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    const { name, longKey } = this.names.nameOf(key);
    const ifGenerationMatch = generationCondition(key, condition);
    const writeId = randomUUID();
    const conditional = ifGenerationMatch !== undefined;
    const file = (conditional ? this.retrying : this.once).file(name);
    try {
      await file.save(Buffer.from(value.buffer, value.byteOffset, value.byteLength), {
        resumable: false,
        validation: 'crc32c',
        contentType: 'application/octet-stream',
        metadata: { metadata: { [WRITE_ID]: writeId, ...(longKey ? { [LONG_KEY_FIELD]: longKey } : {}) } },
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
    const { name } = this.names.nameOf(key);
    if (condition?.ifVersion !== undefined) {
      const ifGenerationMatch = generationCondition(key, condition);
      try {
        await this.retrying.file(name).delete({ ifGenerationMatch });
      } catch (error) {
        // 404: nothing to delete, so the version cannot match. 412: another version is live.
        const status = httpStatusOf(error);
        if (status === 404 || status === 412) throw new RecordConditionFailedError(key, { cause: error });
        throw asStoreError(error, `delete record ${key}`);
      }
      return;
    }
    await deleteIgnoringMissing(this.once.file(name), this.settings.maxRetries, `delete record ${key}`);
  }

  /**
   * Lists by name prefix (GCS lists in UTF-8 byte order, which record names preserve), then
   * fetches values pinned to the listed generation, a batch at a time.
   */
  async *list(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    let remaining = options.limit ?? Infinity;
    if (remaining <= 0) return;
    for await (const batch of this.#ordered(prefix, options.startAfter)) {
      const wanted = remaining === Infinity ? batch : batch.slice(0, remaining);
      for (let i = 0; i < wanted.length; i += this.settings.concurrency * 4) {
        const records = await mapLimit(wanted.slice(i, i + this.settings.concurrency * 4), this.settings.concurrency, (entry) => this.#readListed(entry));
        for (const record of records) {
          if (!record) continue;
          yield record;
          if (--remaining <= 0) return;
        }
      }
    }
  }

  /**
   * Listed keys in UTF-8 byte order, filtered by prefix and startAfter, in batches. Long keys
   * sharing a head arrive as a run in hash order (possibly across pages); each run is held
   * until it ends and then sorted by full key.
   */
  async *#ordered(prefix: string, startAfter: string | undefined): AsyncIterable<Listed[]> {
    const namePrefix = this.names.listingPrefixOf(prefix);
    const startOffset = startAfter === undefined ? undefined : this.#startOffsetFor(startAfter);
    const keep = (key: string): boolean => key.startsWith(prefix) && (startAfter === undefined || compareUtf8(key, startAfter) > 0);
    let run: { id: string; entries: Listed[] } | undefined;
    const flushRun = (out: Listed[]): void => {
      if (!run) return;
      out.push(...run.entries.sort((a, b) => compareUtf8(a.key, b.key)).filter((entry) => keep(entry.key)));
      run = undefined;
    };
    let pageToken: string | undefined;
    do {
      const query = {
        prefix: namePrefix,
        autoPaginate: false,
        maxResults: LIST_PAGE,
        ...(startOffset !== undefined ? { startOffset } : {}),
        ...(pageToken !== undefined ? { pageToken } : {}),
      };
      const [files, next] = await retryTransient(() => this.retrying.getFiles(query), 1, `list records ${prefix}`);
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
      const out: Listed[] = [];
      for (const file of files) {
        const parsed = this.names.parse(file.name, file.metadata.metadata as Record<string, unknown> | undefined);
        const entry: Listed = { key: parsed.key, name: file.name, generation: file.metadata.generation === undefined ? undefined : String(file.metadata.generation) };
        if (parsed.run !== undefined) {
          if (run?.id !== parsed.run) flushRun(out);
          run ??= { id: parsed.run, entries: [] };
          run.entries.push(entry);
          continue;
        }
        flushRun(out);
        if (keep(entry.key)) out.push(entry);
      }
      if (!pageToken) flushRun(out);
      if (out.length > 0) yield out;
    } while (pageToken);
  }

  /** Where listing may start: a long key's whole run must be seen, since runs are hash-ordered. */
  #startOffsetFor(startAfter: string): string {
    const { name, longKey } = this.names.nameOf(startAfter);
    return longKey === undefined ? name : name.slice(0, -HASH_HEX_CHARS);
  }

  /** The listed generation's value, or the newest one if it was replaced meanwhile (skip if deleted). */
  async #readListed(entry: Listed): Promise<StoredRecord | undefined> {
    try {
      const pinned = this.retrying.file(entry.name, entry.generation === undefined ? {} : { generation: Number(entry.generation) });
      const { bytes, generation } = await downloadSmall(pinned, this.settings.stallMs);
      return { key: entry.key, value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), version: generation };
    } catch (error) {
      if (httpStatusOf(error) === 404) return this.read(entry.key);
      throw asStoreError(error, `read record ${entry.key}`);
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
