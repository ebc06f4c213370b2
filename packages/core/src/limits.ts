/**
 * S3 limits as a value (S3-MULTIPART.md §2). The engine checks each one exactly where S3 does:
 * part number and maximum part size at UploadPart, the minimum part size only at Complete, the
 * object size at Complete, the single-PUT size at PutObject, key length on every operation.
 */
export interface Limits {
  /** Profile name, for messages and logs. */
  readonly name: string;
  /** Highest part number (part numbers are 1..maxPartNumber). */
  readonly maxPartNumber: number;
  /** Largest part in bytes (UploadPart / UploadPartCopy). */
  readonly maxPartSize: number;
  /** Smallest part in bytes for every listed part but the last (checked at Complete only). */
  readonly minPartSize: number;
  /** Largest multipart object in bytes (sum of listed parts, checked at Complete). */
  readonly maxObjectSize: number;
  /** Largest single PutObject / CopyObject body in bytes. */
  readonly maxPutObjectSize: number;
  /** Longest object key in UTF-8 bytes. */
  readonly maxKeyBytes: number;
  /** Most bytes of user metadata (names + values). */
  readonly maxMetadataBytes: number;
  /** Largest page of ListParts / ListMultipartUploads / ListObjects. */
  readonly maxListPage: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

const AWS: Limits = Object.freeze({
  name: 'aws',
  maxPartNumber: 10_000,
  maxPartSize: 5 * GiB,
  minPartSize: 5 * MiB,
  // 5 TiB, not the 48.8 TiB (10,000 × 5 GiB) the current AWS user guide states: most
  // S3-compatible providers and every older AWS page say 5 TiB, and clients size their parts
  // for it (s3transfer, rclone). A profile wanting 48.8 TiB can say so with defineLimits.
  maxObjectSize: 5 * TiB,
  maxPutObjectSize: 5 * GiB,
  maxKeyBytes: 1024,
  maxMetadataBytes: 2 * KiB,
  maxListPage: 1000,
});

/** Named profiles. Scaleway allows at most 1000 parts per upload (rclone `max_upload_parts`). */
export const LIMIT_PROFILES = Object.freeze({
  aws: AWS,
  scaleway: Object.freeze({ ...AWS, name: 'scaleway', maxPartNumber: 1000 }),
} satisfies Record<string, Limits>);

export type LimitProfileName = keyof typeof LIMIT_PROFILES;

/** Thrown by `defineLimits` for values S3 semantics cannot work with. */
export class InvalidLimitsError extends Error {
  override readonly name = 'InvalidLimitsError';
  constructor(readonly limit: string, readonly reason: string) {
    super(`invalid limits: ${limit} ${reason}`);
  }
}

/**
 * A custom profile: the AWS profile overridden by `overrides`, validated now so that a bad
 * configuration fails at construction rather than on the first upload.
 */
export function defineLimits(overrides: Partial<Limits> = {}, base: Limits = AWS): Limits {
  const limits: Limits = { ...base, name: 'custom', ...overrides };
  const integer = (name: keyof Limits, min: number): void => {
    const value = limits[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new InvalidLimitsError(name, `must be a safe integer, got ${String(value)}`);
    if (value < min) throw new InvalidLimitsError(name, `must be at least ${min}, got ${value}`);
  };
  integer('maxPartNumber', 1);
  integer('maxPartSize', 1);
  integer('minPartSize', 0);
  integer('maxObjectSize', 1);
  integer('maxPutObjectSize', 0);
  integer('maxKeyBytes', 1);
  integer('maxMetadataBytes', 0);
  integer('maxListPage', 1);
  if (limits.maxPartNumber > 10_000) throw new InvalidLimitsError('maxPartNumber', `must be at most 10000 (the S3 part-number range), got ${limits.maxPartNumber}`);
  if (limits.minPartSize > limits.maxPartSize) throw new InvalidLimitsError('minPartSize', `(${limits.minPartSize}) exceeds maxPartSize (${limits.maxPartSize})`);
  if (limits.maxPartSize > limits.maxObjectSize) throw new InvalidLimitsError('maxPartSize', `(${limits.maxPartSize}) exceeds maxObjectSize (${limits.maxObjectSize})`);
  if (typeof limits.name !== 'string' || limits.name === '') throw new InvalidLimitsError('name', 'must be a non-empty string');
  return Object.freeze(limits);
}

/** A profile name or a Limits value (validated) → Limits. */
export function resolveLimits(limits: Limits | LimitProfileName | undefined): Limits {
  if (limits === undefined) return AWS;
  if (typeof limits === 'string') {
    const profile = (LIMIT_PROFILES as Record<string, Limits>)[limits];
    if (!profile) throw new InvalidLimitsError('profile', `${JSON.stringify(limits)} is not one of ${Object.keys(LIMIT_PROFILES).join(', ')}`);
    return profile;
  }
  return defineLimits(limits, limits);
}
