/**
 * The BlobStore contract: the seam every backend implements. A backend stores two things and
 * knows nothing of S3:
 *
 * 1. Records — small values with compare-and-swap, listed in UTF-8 key-byte order.
 * 2. Part data — bytes staged under an upload, assembled into one readable object in the way
 *    that backend does best, and read back by byte range.
 *
 * All S3 semantics (limits, ordering, ETags, checksums, state transitions) live in the engine.
 */

/** What a backend can do, as data. Tests and the engine read this; nobody sniffs classes. */
export interface StoreCapabilities {
  /** Short backend name, e.g. `memory`, `fs`, `level`, `azure`, `gcs`. */
  readonly name: string;
  /**
   * How `assemble` publishes the concatenation:
   * - `zero-copy`: metadata only (manifest / block list), no part byte moves.
   * - `server-copy`: the storage service concatenates (e.g. GCS compose); no byte passes
   *   through this process.
   * - `local-copy`: bytes are read back and rewritten by this process.
   */
  readonly assembly: 'zero-copy' | 'server-copy' | 'local-copy';
  /** Largest single `writePart` body in bytes the backend accepts. */
  readonly maxPartSize: number;
  /** Most parts one `assemble` call accepts (Infinity when unbounded). */
  readonly maxAssembleParts: number;
  /** Longest record key in UTF-8 bytes the backend stores. */
  readonly maxRecordKeyBytes: number;
  /** Many processes may use the same store at once (all state lives in the backend). */
  readonly shared: boolean;
  /** Acknowledged writes survive close and reopen (and a crash). */
  readonly durable: boolean;
  /** Vendor documentation for each limit above, by limit name. */
  readonly limitSources?: Readonly<Record<string, string>>;
}

/** Condition for `writeRecord` / `deleteRecord`. An empty object means unconditional. */
export type RecordCondition =
  | { readonly ifVersion: string }
  | { readonly ifAbsent: true }
  | Readonly<Record<string, never>>;

export interface StoredRecord {
  readonly key: string;
  readonly value: Uint8Array;
  /** Opaque version token; changes on every successful write. */
  readonly version: string;
}

export interface ListRecordsOptions {
  /** Only keys strictly greater than this (UTF-8 byte order). */
  readonly startAfter?: string;
  readonly limit?: number;
}

/**
 * Opaque reference to assembled (or directly written) object data. It is serialised into the
 * object index record, so it must be a plain string. Only the backend that issued it
 * interprets it.
 */
export type DataHandle = string;

/** One staged part, as the engine names it for `assemble`. */
export interface PartRef {
  /** Unique per upload attempt (part number + nonce); never reused. */
  readonly partId: string;
  /** Exact byte size, as returned by `writePart`. */
  readonly size: number;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface WritePartOptions {
  readonly signal?: AbortSignal;
}

export interface BlobStore {
  readonly capabilities: StoreCapabilities;

  // ── records ────────────────────────────────────────────────────────────────────────────
  /** The record, or undefined when absent. */
  readRecord(key: string): Promise<StoredRecord | undefined>;
  /**
   * Write a record; returns its new version. Fails with `RecordConditionFailedError` when the
   * condition does not hold. Exactly one of any set of racing conditional writers wins.
   */
  writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string>;
  /**
   * Delete a record. Without a condition, deleting an absent record succeeds. With
   * `ifVersion`, fails with `RecordConditionFailedError` unless the current version matches.
   */
  deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void>;
  /** Records whose key starts with `prefix`, in UTF-8 key-byte order. */
  listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord>;

  // ── part data ──────────────────────────────────────────────────────────────────────────
  /**
   * Stream `body` into a new part blob named (upload, partId). Durable when it resolves.
   * Must not buffer the whole body. If the body throws or the signal aborts, nothing
   * readable is left under that partId (the engine will `discard` it anyway).
   */
  writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options?: WritePartOptions,
  ): Promise<{ readonly size: number }>;
  /**
   * Publish the concatenation of `parts` (in order) as one readable object and return its
   * handle. The staged parts must stay readable through the returned handle. Idempotent:
   * calling again with the same arguments (e.g. after a crash) returns a handle to the same
   * bytes. Does not remove unlisted parts — the engine discards them. The engine assembles
   * an upload with one part list only (retries repeat it), so a backend may reject a different
   * list for an upload it has already assembled (Azure: one data blob per upload).
   */
  assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle>;
  /** Stream the object's bytes, or an inclusive range of them. */
  read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array>;
  /**
   * Remove staged parts of an upload. With `partIds`: exactly those (the engine never lists a
   * part an assembled handle uses). Without: every staged part of the upload that no
   * assembled handle uses — superseded re-uploads, unlisted parts, orphans of a crash.
   * The engine calls it without ids after Complete and after Abort. Idempotent.
   */
  discard(upload: string, partIds?: readonly string[]): Promise<void>;
  /** Remove the data behind a handle (and parts it owns). Idempotent. */
  deleteData(handle: DataHandle): Promise<void>;
  /** Release resources (locks, handles, sockets). */
  close(): Promise<void>;
}

/** Thrown by backends when a record condition (ifVersion / ifAbsent) does not hold. */
export class RecordConditionFailedError extends Error {
  override readonly name = 'RecordConditionFailedError';
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`record condition failed for ${JSON.stringify(key)}`, options);
  }
}

/** Thrown by `writePart` when a body grows past the store's `capabilities.maxPartSize`. */
export class PartTooLargeError extends RangeError {
  override readonly name = 'PartTooLargeError';
  constructor(
    readonly partId: string,
    readonly maxPartSize: number,
  ) {
    super(`part ${JSON.stringify(partId)} exceeds ${maxPartSize} bytes`);
  }
}

/**
 * Thrown by backends for failures worth retrying (timeouts, 5xx, throttling). The engine's
 * `withRetry` decorator retries only these.
 */
export class TransientStoreError extends Error {
  override readonly name = 'TransientStoreError';
}

/**
 * Thrown when the backend has no room for a write: a full volume or quota, or free space below
 * the reserve an operator configured. The write left nothing visible; reads, deletes and the
 * record writes that free space (Complete, Abort) may still work. The S3 front end answers 507
 * InsufficientStorage.
 */
export class StoreFullError extends Error {
  override readonly name = 'StoreFullError';
  constructor(
    readonly store: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
