import { Storage, type StorageOptions } from '@google-cloud/storage';

export interface GcsStoreOptions {
  /** The bucket holding everything (records, parts, assembled objects). It must exist. */
  readonly bucket: string;
  /** Object name prefix inside the bucket, e.g. `mpu/` (default: none). */
  readonly prefix?: string;
  readonly projectId?: string;
  /** Service-account credentials (the JSON key's fields). */
  readonly credentials?: StorageOptions['credentials'];
  /** Path to a service-account JSON key file. */
  readonly keyFilename?: string;
  /**
   * JSON-API endpoint, e.g. `http://127.0.0.1:4443` for a test server. Use this, not
   * STORAGE_EMULATOR_HOST (which rewrites the base path and breaks uploads in 7.x). A custom
   * endpoint that is not a googleapis.com host is called without authentication.
   */
  readonly apiEndpoint?: string;
  /**
   * Authenticate against a custom `apiEndpoint` too (e.g. a Private Service Connect endpoint).
   * 7.x otherwise sends no credentials to any endpoint other than the default. Default false.
   */
  readonly useAuthWithCustomEndpoint?: boolean;
  /** Parts up to this size are buffered and sent in one request; larger ones stream resumably. Default 8 MiB. */
  readonly singleRequestMaxBytes?: number;
  /** Resumable upload chunk (a multiple of 256 KiB); the client buffers one chunk for retries. Default 8 MiB. */
  readonly uploadChunkBytes?: number;
  /** Retries of idempotent or preconditioned calls (the library's and mpu's own). Default 4. */
  readonly maxRetries?: number;
  /**
   * Longest pause between retries, at least 1000 ms (7.x's `save` starts its backoff at 1 s and
   * rejects a smaller maximum). Default 2000 ms.
   */
  readonly maxRetryDelayMs?: number;
  /** Concurrent compose / delete / read calls issued by one operation. Default 16. */
  readonly concurrency?: number;
  /** A download that delivers nothing for this long is cut and resumed. Default 30 s. */
  readonly stallTimeoutMs?: number;
  /**
   * A ready client (overrides projectId, credentials, keyFilename, apiEndpoint). Then one client
   * serves every role, and 7.x's client-wide retry switches (see `createClients`) can turn its
   * retries off; prefer the options above.
   */
  readonly storage?: Storage;
}

/** Thrown for options that cannot work. */
export class InvalidGcsStoreOptionsError extends Error {
  override readonly name = 'InvalidGcsStoreOptionsError';
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`invalid GcsStore option ${option}: ${reason}`);
  }
}

export const DEFAULT_SINGLE_REQUEST_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
const CHUNK_MULTIPLE = 256 * 1024;

export interface ResolvedGcsConfig {
  readonly bucket: string;
  readonly prefix: string;
  readonly singleRequestMaxBytes: number;
  readonly uploadChunkBytes: number;
  readonly maxRetries: number;
  readonly concurrency: number;
  readonly stallMs: number;
  readonly maxRetryDelayMs: number;
}

export function resolveConfig(options: GcsStoreOptions): ResolvedGcsConfig {
  if (!options.bucket) throw new InvalidGcsStoreOptionsError('bucket', 'is required');
  const prefix = options.prefix ?? '';
  if (/[\r\n]/.test(prefix)) throw new InvalidGcsStoreOptionsError('prefix', 'GCS object names cannot contain CR or LF');
  if (Buffer.byteLength(prefix, 'utf8') > 256) throw new InvalidGcsStoreOptionsError('prefix', 'must be at most 256 bytes');
  const uploadChunkBytes = options.uploadChunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  if (!Number.isSafeInteger(uploadChunkBytes) || uploadChunkBytes <= 0 || uploadChunkBytes % CHUNK_MULTIPLE !== 0) {
    throw new InvalidGcsStoreOptionsError('uploadChunkBytes', `must be a positive multiple of ${CHUNK_MULTIPLE}`);
  }
  const singleRequestMaxBytes = options.singleRequestMaxBytes ?? DEFAULT_SINGLE_REQUEST_MAX_BYTES;
  if (!Number.isSafeInteger(singleRequestMaxBytes) || singleRequestMaxBytes < 0 || singleRequestMaxBytes > 64 * 1024 * 1024) {
    throw new InvalidGcsStoreOptionsError('singleRequestMaxBytes', 'must be an integer from 0 to 64 MiB');
  }
  const maxRetries = options.maxRetries ?? 4;
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) throw new InvalidGcsStoreOptionsError('maxRetries', 'must be a non-negative integer');
  const concurrency = options.concurrency ?? 16;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new InvalidGcsStoreOptionsError('concurrency', 'must be a positive integer');
  const stallMs = options.stallTimeoutMs ?? 30_000;
  if (!Number.isSafeInteger(stallMs) || stallMs < 1) throw new InvalidGcsStoreOptionsError('stallTimeoutMs', 'must be a positive integer');
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
  if (!Number.isFinite(maxRetryDelayMs) || maxRetryDelayMs < 1000) throw new InvalidGcsStoreOptionsError('maxRetryDelayMs', 'must be at least 1000');
  return { bucket: options.bucket, prefix, singleRequestMaxBytes, uploadChunkBytes, maxRetries, concurrency, stallMs, maxRetryDelayMs };
}

export interface GcsClients {
  /** Preconditioned writes and reads: the client's own retries stay on. */
  readonly retrying: Storage;
  /** Unconditional writes and deletes: never retried by the client. */
  readonly once: Storage;
  /** `bucket.combine` only (see below). */
  readonly composer: Storage;
}

/**
 * Three clients over one configuration, because `@google-cloud/storage` 7.x switches retries
 * off by mutating the client-wide `retryOptions`: `file.save()` without a precondition sets
 * `autoRetry = false` for good; `bucket.combine()` without `ifMetagenerationMatch` (which a
 * new destination cannot have) sets it until the call returns; and a resumable upload that
 * starts while it is false sets the shared `maxRetries` to 0 for good. So preconditioned writes
 * and reads use a client nothing switches off, unconditional mutations use one that never
 * retries (mpu retries those itself where they are idempotent, e.g. deletes), and compose has
 * its own (each compose passes its retry count explicitly, so the flag does not affect it).
 */
export function createClients(options: GcsStoreOptions, config: ResolvedGcsConfig): GcsClients {
  const { maxRetries } = config;
  if (options.storage) return { retrying: options.storage, once: options.storage, composer: options.storage };
  const base: StorageOptions = {
    ...(options.projectId ? { projectId: options.projectId } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    ...(options.useAuthWithCustomEndpoint ? { useAuthWithCustomEndpoint: true } : {}),
  };
  // A custom endpoint needs a project id only for bucket creation; default it so no
  // discovery (metadata server, gcloud config) is attempted.
  if (options.apiEndpoint && !options.projectId && !options.useAuthWithCustomEndpoint) base.projectId = 'mpu';
  const retrying = new Storage({
    ...base,
    retryOptions: { autoRetry: maxRetries > 0, maxRetries, retryDelayMultiplier: 2, maxRetryDelay: config.maxRetryDelayMs / 1000, totalTimeout: 600 },
  });
  const once = new Storage({ ...base, retryOptions: { autoRetry: false, maxRetries: 0 } });
  const composer = new Storage({
    ...base,
    retryOptions: { autoRetry: maxRetries > 0, maxRetries, retryDelayMultiplier: 2, maxRetryDelay: config.maxRetryDelayMs / 1000, totalTimeout: 600 },
  });
  return { retrying, once, composer };
}
