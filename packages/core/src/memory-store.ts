import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, type PartRef,
  type RecordCondition, RecordConditionFailedError, type StoreCapabilities, type StoredRecord,
  type WritePartOptions,
} from './blob-store.js';

/**
 * The reference BlobStore: everything in process memory, nothing durable. Every other backend
 * is measured against it by the conformance suite, so it favours the obvious over the fast.
 *
 * Assembly is a manifest of references to the staged chunk arrays (no byte is copied), which
 * is why staged parts stay readable through a handle even after `discard` forgets them.
 */
export const MEMORY_STORE_CAPABILITIES: StoreCapabilities = Object.freeze({
  name: 'memory',
  assembly: 'zero-copy',
  maxPartSize: 5 * 1024 ** 3,
  maxAssembleParts: Infinity,
  maxRecordKeyBytes: 64 * 1024,
  shared: false,
  durable: false,
});

/** A staged part: its chunks exactly as written (copied, so callers may reuse their buffers). */
interface StagedPart {
  readonly chunks: readonly Uint8Array[];
  readonly size: number;
}

interface Manifest {
  readonly upload: string;
  readonly parts: readonly (StagedPart & { readonly partId: string })[];
  readonly size: number;
}

/** Thrown when `assemble` names a part that was never staged or whose size differs. */
export class MissingPartError extends Error {
  override readonly name = 'MissingPartError';
  constructor(
    readonly upload: string,
    readonly partId: string,
    readonly expectedSize: number,
    readonly actualSize: number | undefined,
  ) {
    super(
      actualSize === undefined
        ? `part ${JSON.stringify(partId)} of upload ${JSON.stringify(upload)} is not staged`
        : `part ${JSON.stringify(partId)} of upload ${JSON.stringify(upload)} has ${actualSize} bytes, not ${expectedSize}`,
    );
  }
}

/** Thrown by `read` for a handle the store never issued or has deleted. */
export class UnknownHandleError extends Error {
  override readonly name = 'UnknownHandleError';
  constructor(readonly handle: string) {
    super(`no data under handle ${JSON.stringify(handle)}`);
  }
}

/** Thrown by `read` for a range outside the object (the engine resolves ranges first). */
export class RangeOutOfBoundsError extends RangeError {
  override readonly name = 'RangeOutOfBoundsError';
  constructor(
    readonly handle: string,
    readonly range: ByteRange,
    readonly size: number,
  ) {
    super(`range ${range.start}-${range.end} is outside ${JSON.stringify(handle)} (${size} bytes)`);
  }
}

/** Thrown when a store is used after `close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor(readonly store: string) {
    super(`${store} store is closed`);
  }
}

/** Compares strings by their UTF-8 bytes, the order every backend lists records in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export class MemoryStore implements BlobStore {
  readonly capabilities: StoreCapabilities = MEMORY_STORE_CAPABILITIES;

  readonly #records = new Map<string, { readonly value: Uint8Array; readonly version: string }>();
  readonly #staged = new Map<string, Map<string, StagedPart>>();
  readonly #manifests = new Map<DataHandle, Manifest>();
  #versionCounter = 0;
  #handleCounter = 0;
  #closed = false;

  // ── records ────────────────────────────────────────────────────────────────────────────

  async readRecord(key: string): Promise<StoredRecord | undefined> {
    this.#assertOpen();
    const record = this.#records.get(key);
    return record && { key, value: record.value.slice(), version: record.version };
  }

  async writeRecord(key: string, value: Uint8Array, condition: RecordCondition = {}): Promise<string> {
    this.#assertOpen();
    this.#assertKeyLength(key);
    // No await between the check and the set: the whole CAS runs in one tick, so racing
    // writers are serialised by the event loop and exactly one wins.
    this.#assertCondition(key, condition);
    const version = String(++this.#versionCounter);
    this.#records.set(key, { value: value.slice(), version });
    return version;
  }

  async deleteRecord(key: string, condition: { readonly ifVersion: string } | Record<string, never> = {}): Promise<void> {
    this.#assertOpen();
    this.#assertCondition(key, condition);
    this.#records.delete(key);
  }

  async *listRecords(prefix: string, options: ListRecordsOptions = {}): AsyncIterable<StoredRecord> {
    this.#assertOpen();
    const limit = options.limit ?? Infinity;
    const startAfter = options.startAfter;
    const keys = [...this.#records.keys()]
      .filter((key) => key.startsWith(prefix) && (startAfter === undefined || compareUtf8(key, startAfter) > 0))
      .sort(compareUtf8)
      .slice(0, limit);
    for (const key of keys) {
      const record = this.#records.get(key);
      // A record deleted while the caller iterates is skipped, as a paginating backend would.
      if (record) yield { key, value: record.value.slice(), version: record.version };
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
    options.signal?.throwIfAborted();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      options.signal?.throwIfAborted();
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (size > this.capabilities.maxPartSize) {
        throw new RangeError(`part ${JSON.stringify(partId)} exceeds ${this.capabilities.maxPartSize} bytes`);
      }
      chunks.push(chunk.slice());
    }
    options.signal?.throwIfAborted();
    // Published only once the body ended cleanly: a failed body leaves nothing under partId.
    let parts = this.#staged.get(upload);
    if (!parts) this.#staged.set(upload, (parts = new Map()));
    parts.set(partId, { chunks, size });
    return { size };
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    this.#assertOpen();
    const staged = this.#staged.get(upload);
    const manifestParts = parts.map(({ partId, size }) => {
      const part = staged?.get(partId);
      if (!part || part.size !== size) throw new MissingPartError(upload, partId, size, part?.size);
      return { partId, ...part };
    });
    const handle = `memory:${upload}:${++this.#handleCounter}`;
    const size = manifestParts.reduce((sum, part) => sum + part.size, 0);
    this.#manifests.set(handle, { upload, parts: manifestParts, size });
    return handle;
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    const manifest = this.#manifests.get(handle);
    if (!manifest) throw new UnknownHandleError(handle);
    const { start, end } = range ?? { start: 0, end: manifest.size - 1 };
    if (range && !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end < manifest.size)) {
      throw new RangeOutOfBoundsError(handle, range, manifest.size);
    }
    let offset = 0; // absolute offset of the chunk being considered
    for (const part of manifest.parts) {
      for (const chunk of part.chunks) {
        const chunkEnd = offset + chunk.byteLength - 1;
        if (chunkEnd >= start && offset <= end) {
          yield chunk.slice(Math.max(start - offset, 0), Math.min(end - offset, chunk.byteLength - 1) + 1);
        }
        offset += chunk.byteLength;
        if (offset > end) return;
      }
    }
  }

  async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.#assertOpen();
    const staged = this.#staged.get(upload);
    if (!staged) return;
    const doomed = partIds ?? [...staged.keys()].filter((partId) => !this.#isAssembled(upload, partId));
    for (const partId of doomed) staged.delete(partId);
    if (staged.size === 0) this.#staged.delete(upload);
  }

  async deleteData(handle: DataHandle): Promise<void> {
    this.#assertOpen();
    const manifest = this.#manifests.get(handle);
    if (!manifest) return;
    this.#manifests.delete(handle);
    // The handle owns its parts: drop them unless another handle (a retried assemble) uses them.
    const staged = this.#staged.get(manifest.upload);
    if (!staged) return;
    for (const { partId } of manifest.parts) {
      if (!this.#isAssembled(manifest.upload, partId)) staged.delete(partId);
    }
    if (staged.size === 0) this.#staged.delete(manifest.upload);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────

  #isAssembled(upload: string, partId: string): boolean {
    for (const manifest of this.#manifests.values()) {
      if (manifest.upload === upload && manifest.parts.some((part) => part.partId === partId)) return true;
    }
    return false;
  }

  #assertCondition(key: string, condition: RecordCondition): void {
    const current = this.#records.get(key);
    if ('ifAbsent' in condition && condition.ifAbsent && current) throw new RecordConditionFailedError(key);
    if ('ifVersion' in condition && typeof condition.ifVersion === 'string' && current?.version !== condition.ifVersion) {
      throw new RecordConditionFailedError(key);
    }
  }

  #assertKeyLength(key: string): void {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > this.capabilities.maxRecordKeyBytes) {
      throw new RangeError(`record key of ${bytes} bytes exceeds ${this.capabilities.maxRecordKeyBytes}`);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(this.capabilities.name);
  }
}
