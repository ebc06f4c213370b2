import { type Engine, type Owner, stderrLogger } from '@mpu/core';
import type { AuthorizeHook } from './authorize.js';
import { hasSingleOwner, toOwnerLookup } from './credentials.js';
import type { CredentialsOption } from './credentials.js';
import { normalizeBasePath } from './mounted-url.js';
import type { ProtectionLimitsOptions } from './protection-limits.js';

/** One line per request, handed to `onRequestDone` and to the logger. */
export interface RequestLogInfo {
  readonly requestId: string;
  readonly operation: string;
  readonly method: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly status: number;
  /** Body bytes received (decoded payload for aws-chunked). */
  readonly bytesIn: number;
  /** Body bytes sent. */
  readonly bytesOut: number;
  readonly ms: number;
  /** S3 error code when the request failed. */
  readonly errorCode?: string;
}

/** pino-compatible subset. */
export interface S3Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface S3HandlerOptions {
  readonly engine: Engine;
  /** Accepted access keys: a list, or a lookup returning the secret for an access key id. */
  readonly credentials: CredentialsOption;
  /**
   * Regions accepted in the SigV4 credential scope. Default: any region — the signature is
   * verified with whatever region the client signed for (clients default to us-east-1; R2-style
   * clients send `auto`). With a list, other regions get AuthorizationHeaderMalformed.
   */
  readonly region?: string | readonly string[];
  /**
   * Serve every unauthenticated request (no Authorization header, no presign query) as if it
   * were signed. Default false: an unsigned request acts as the anonymous principal and is
   * allowed only where an ACL grants AllUsers the permission (access-check.ts).
   */
  readonly allowAnonymous?: boolean;
  /** Virtual-host addressing: with `localhost`, Host `bucket.localhost:9000` names `bucket`. */
  readonly baseDomain?: string;
  /** Cap on XML request bodies (Complete, Delete, lifecycle). Default 2 MiB, see README. */
  readonly maxXmlBodyBytes?: number;
  /**
   * One line per request (info), failures (warn/error) with the request id. pino-compatible.
   * Default: warnings and errors as JSON lines on stderr, so an unexpected 500 is never silent.
   */
  readonly logger?: S3Logger;
  readonly onRequestDone?: (info: RequestLogInfo) => void;
  /** Clock for signature skew/expiry checks (tests). */
  readonly clock?: () => Date;
  /** Allowed |request time − now|. Default 900000 (15 min, as AWS). */
  readonly maxSkewMs?: number;
  /** Longest pause between two reads of a request body before RequestTimeout. Default 120 s. */
  readonly bodyIdleTimeoutMs?: number;
  /** `Server` response header. Default `mpu`. */
  readonly serverName?: string;
  /**
   * A CompleteMultipartUpload still running after this long is answered `200` + whitespace
   * keep-alives + result (or an in-body `<Error>`), as AWS does. Default 10000.
   */
  readonly completeKeepAliveMs?: number;
  /** Admission limits answered with 503 SlowDown (see protection-limits.ts); none by default. */
  readonly protection?: Omit<ProtectionLimitsOptions, 'engine' | 'baseDomain' | 'basePath'>;
  /**
   * The embedder's authorization, called after authentication for every request (anonymous
   * ones too) before anything is read; anything but `true` → 403 AccessDenied (authorize.ts).
   */
  readonly authorize?: AuthorizeHook;
  /**
   * Path the S3 endpoint is mounted under (`'/s3'`), as it appears on the wire. Signatures are
   * checked against the full path, buckets addressed below it (mounted-url.ts). Default: root.
   */
  readonly basePath?: string;
}

export interface ResolvedOptions {
  readonly engine: Engine;
  readonly regions?: readonly string[];
  readonly allowAnonymous: boolean;
  readonly baseDomain?: string;
  readonly maxXmlBodyBytes: number;
  readonly logger: S3Logger;
  readonly onRequestDone?: (info: RequestLogInfo) => void;
  readonly clock: () => Date;
  readonly maxSkewMs: number;
  readonly bodyIdleTimeoutMs: number;
  readonly serverName: string;
  readonly completeKeepAliveMs: number;
  readonly authorize?: AuthorizeHook;
  /** Normalised: `''` for the root, else `/path` without a trailing slash. */
  readonly basePath: string;
  /** Access key id → the owner it acts as (credentials.ts). */
  readonly ownerOf: (accessKeyId: string) => Owner;
  /** Every credential acts as one owner: authenticated requests skip ACL checks. */
  readonly singleOwner: boolean;
}

/**
 * A Complete of 10,000 parts with a SHA-256 checksum per part is about 1.5 MB
 * (`<Part><PartNumber>10000</PartNumber><ETag>"<32 hex>"</ETag><ChecksumSHA256><44 chars>
 * </ChecksumSHA256></Part>` ≈ 150 bytes, plus whitespace SDKs may add), so 2 MiB admits every
 * legal Complete while bounding what one request can make the server buffer.
 */
export const DEFAULT_MAX_XML_BODY_BYTES = 2 * 1024 * 1024;

export function resolveOptions(options: S3HandlerOptions): ResolvedOptions {
  const regions = options.region === undefined ? undefined : typeof options.region === 'string' ? [options.region] : options.region;
  return {
    engine: options.engine,
    regions,
    allowAnonymous: options.allowAnonymous ?? false,
    baseDomain: options.baseDomain,
    maxXmlBodyBytes: options.maxXmlBodyBytes ?? DEFAULT_MAX_XML_BODY_BYTES,
    logger: options.logger ?? stderrLogger,
    onRequestDone: options.onRequestDone,
    clock: options.clock ?? (() => new Date()),
    maxSkewMs: options.maxSkewMs ?? 900_000,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? 120_000,
    serverName: options.serverName ?? 'mpu',
    completeKeepAliveMs: options.completeKeepAliveMs ?? 10_000,
    authorize: options.authorize,
    basePath: normalizeBasePath(options.basePath),
    ownerOf: toOwnerLookup(options.credentials),
    singleOwner: hasSingleOwner(options.credentials),
  };
}
