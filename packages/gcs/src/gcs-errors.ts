import { TransientStoreError } from '@mpu/core';

/**
 * HTTP status of a `@google-cloud/storage` error, if any: ApiError carries it in `code`, the
 * gaxios errors of resumable uploads in `status` / `response.status`.
 */
export function httpStatusOf(error: unknown): number | undefined {
  const candidate = error as { code?: unknown; status?: unknown; response?: { status?: unknown } } | null;
  for (const value of [candidate?.code, candidate?.status, candidate?.response?.status]) {
    if (typeof value === 'number' && value >= 100 && value <= 599) return value;
  }
  return undefined;
}

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** 408, 429 and 5xx, or a dropped connection: worth retrying (Google's retry strategy guide). */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /socket hang up|ECONNRESET|premature close/i.test(message);
}

/** Marks transient failures so the engine's `withRetry` can retry them; others pass through. */
export function asStoreError(error: unknown, what: string): unknown {
  if (error instanceof TransientStoreError) return error;
  if (isTransient(error)) return new TransientStoreError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return error;
}

/** Thrown by `read` for a handle whose object does not exist (deleted, or never assembled). */
export class GcsDataNotFoundError extends Error {
  override readonly name = 'GcsDataNotFoundError';
  constructor(
    readonly handle: string,
    options?: ErrorOptions,
  ) {
    super(`no GCS object behind handle ${JSON.stringify(handle)}`, options);
  }
}

/** Thrown by `assemble` when a part is missing or its size differs from the one given. */
export class GcsAssembleError extends Error {
  override readonly name = 'GcsAssembleError';
  constructor(
    readonly upload: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`assemble of upload ${JSON.stringify(upload)} failed: ${message}`, options);
  }
}

/** Thrown when a store is used after `close()`. */
export class GcsStoreClosedError extends Error {
  override readonly name = 'GcsStoreClosedError';
  constructor() {
    super('gcs store is closed');
  }
}

/** Retries `operation` on transient failures only; for calls that are idempotent as mpu uses them. */
export async function retryTransient<T>(operation: () => Promise<T>, attempts: number, what: string, maxDelayMs = 1000): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw asStoreError(error, what);
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxDelayMs, 25 * 2 ** attempt)));
    }
  }
}
