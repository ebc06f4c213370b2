import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Engine, S3Error } from '@mpu/core';
import { parseAddress, parseQuery } from './addressing.js';
import { mountedUrlOf, normalizeBasePath } from './mounted-url.js';
import type { S3RequestHandler } from './create-s3-handler.js';
import { sendError } from './error-response.js';

/**
 * Limits that keep one server usable under load. Beyond each, a request is answered S3
 * `SlowDown` (503) at once, before its body is read; SDKs and the CLI retry 503 with backoff.
 */
export interface ProtectionLimitsOptions {
  /** Requests handled at once (queued bodies included). */
  readonly maxConcurrentRequests?: number;
  /**
   * Sum of the declared body sizes of admitted requests (x-amz-decoded-content-length, else
   * Content-Length). A request is always admitted when nothing else is in flight, so one
   * body larger than the limit is slow, never starved.
   */
  readonly maxInFlightBytes?: number;
  /** In-progress multipart uploads per bucket, checked at CreateMultipartUpload. Needs `engine`. */
  readonly maxOpenUploadsPerBucket?: number;
  /** Counts open uploads (listMultipartUploads, at most `maxOpenUploadsPerBucket` of them). */
  readonly engine?: Engine;
  /** Same as the handler's `baseDomain`, to find the bucket of virtual-host requests. */
  readonly baseDomain?: string;
  /** Same as the handler's `basePath`, to find the bucket of requests below a mount point. */
  readonly basePath?: string;
  /** Called for every rejected request (metrics, logs). */
  readonly onReject?: (reason: ProtectionLimitName) => void;
}

export type ProtectionLimitName = 'maxConcurrentRequests' | 'maxInFlightBytes' | 'maxOpenUploadsPerBucket';

export interface ProtectionStats {
  readonly activeRequests: number;
  readonly inFlightBytes: number;
  readonly rejected: Readonly<Record<ProtectionLimitName, number>>;
}

export type ProtectedS3Handler = S3RequestHandler & { readonly stats: () => ProtectionStats };

export class InvalidProtectionLimitsError extends Error {
  override readonly name = 'InvalidProtectionLimitsError';
  constructor(readonly limit: string, readonly value: unknown) {
    super(`protection limit ${limit} must be a positive integer, got ${String(value)}`);
  }
}

function checkLimit(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) throw new InvalidProtectionLimitsError(name, value);
}

function declaredBytes(req: IncomingMessage): number {
  const raw = req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length'];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** The bucket of a CreateMultipartUpload (`POST /bucket/key?uploads`), else undefined. */
function createUploadBucket(req: IncomingMessage, baseDomain: string | undefined, basePath: string | undefined): string | undefined {
  if (req.method?.toUpperCase() !== 'POST') return undefined;
  try {
    const url = mountedUrlOf(req, normalizeBasePath(basePath));
    if (!parseQuery(url.query).some((param) => param.name === 'uploads')) return undefined;
    const address = parseAddress(url.path, req.headers.host, baseDomain);
    return address.key === undefined ? undefined : address.bucket;
  } catch {
    return undefined; // the handler answers a bad address itself
  }
}

/** Runs checks for one bucket one after another, so two Creates never both take the last slot. */
class BucketQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  run<T>(bucket: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(bucket) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(bucket, tail);
    void tail.then(() => {
      if (this.#tails.get(bucket) === tail) this.#tails.delete(bucket);
    });
    return next;
  }
}

/**
 * Wraps an S3 handler with admission limits. Rejections happen before the wrapped handler
 * (and so before authentication) runs: they cost no body read, and the connection is closed
 * so an unread body is never drained.
 */
export function withProtectionLimits(handler: S3RequestHandler, options: ProtectionLimitsOptions): ProtectedS3Handler {
  checkLimit('maxConcurrentRequests', options.maxConcurrentRequests);
  checkLimit('maxInFlightBytes', options.maxInFlightBytes);
  checkLimit('maxOpenUploadsPerBucket', options.maxOpenUploadsPerBucket);
  const { engine, maxOpenUploadsPerBucket } = options;
  if (maxOpenUploadsPerBucket !== undefined && !engine) {
    throw new InvalidProtectionLimitsError('engine', 'missing (needed by maxOpenUploadsPerBucket)');
  }
  let active = 0;
  let inFlightBytes = 0;
  const rejected: Record<ProtectionLimitName, number> = { maxConcurrentRequests: 0, maxInFlightBytes: 0, maxOpenUploadsPerBucket: 0 };
  // Creates admitted but not yet answered, per bucket: not yet visible to a listing.
  const pendingCreates = new Map<string, number>();
  const queue = new BucketQueue();

  const reject = (req: IncomingMessage, res: ServerResponse, reason: ProtectionLimitName): void => {
    rejected[reason]++;
    options.onReject?.(reason);
    res.setHeader('x-amz-request-id', randomBytes(8).toString('hex').toUpperCase());
    res.setHeader('Connection', 'close');
    sendError(res, new S3Error('SlowDown', undefined, {}, { cause: new Error(`${reason} reached`) }), {
      requestId: String(res.getHeader('x-amz-request-id')),
      hostId: randomBytes(24).toString('base64'),
      method: (req.method ?? 'GET').toUpperCase(),
    });
  };

  const admit = (req: IncomingMessage, res: ServerResponse, bytes: number, bucket: string | undefined): void => {
    let released = false;
    res.once('close', () => {
      if (released) return;
      released = true;
      active--;
      inFlightBytes -= bytes;
      if (bucket !== undefined) {
        const left = (pendingCreates.get(bucket) ?? 1) - 1;
        if (left > 0) pendingCreates.set(bucket, left);
        else pendingCreates.delete(bucket);
      }
    });
    handler(req, res);
  };

  const protectedHandler = (req: IncomingMessage, res: ServerResponse): void => {
    const bytes = declaredBytes(req);
    if (options.maxConcurrentRequests !== undefined && active >= options.maxConcurrentRequests) {
      return reject(req, res, 'maxConcurrentRequests');
    }
    if (options.maxInFlightBytes !== undefined && inFlightBytes > 0 && inFlightBytes + bytes > options.maxInFlightBytes) {
      return reject(req, res, 'maxInFlightBytes');
    }
    active++;
    inFlightBytes += bytes;
    const bucket = maxOpenUploadsPerBucket === undefined ? undefined : createUploadBucket(req, options.baseDomain, options.basePath);
    if (bucket === undefined) return admit(req, res, bytes, undefined);

    // The slot is held while the count runs, so the concurrency limits stay exact.
    queue.run(bucket, async () => {
      const open = await countOpenUploads(engine!, bucket, maxOpenUploadsPerBucket!);
      const pending = pendingCreates.get(bucket) ?? 0;
      if (open + pending >= maxOpenUploadsPerBucket!) return false;
      pendingCreates.set(bucket, pending + 1);
      return true;
    }).then(
      (admitted) => {
        if (admitted) return admit(req, res, bytes, bucket);
        active--;
        inFlightBytes -= bytes;
        reject(req, res, 'maxOpenUploadsPerBucket');
      },
      // NoSuchBucket and the like: let the handler answer it (and authenticate first).
      () => admit(req, res, bytes, undefined),
    );
  };
  return Object.assign(protectedHandler, {
    stats: (): ProtectionStats => ({ activeRequests: active, inFlightBytes, rejected: { ...rejected } }),
  });
}

/** In-progress uploads of `bucket`, counted up to `limit` (never lists more than needed). */
async function countOpenUploads(engine: Engine, bucket: string, limit: number): Promise<number> {
  let count = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await engine.listMultipartUploads({
      bucket,
      maxUploads: Math.min(1000, limit - count),
      ...(keyMarker !== undefined ? { keyMarker } : {}),
      ...(uploadIdMarker !== undefined ? { uploadIdMarker } : {}),
    });
    count += page.uploads.length;
    if (count >= limit || !page.isTruncated) return count;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}
