import { randomBytes } from 'node:crypto';

/**
 * Upload ids: `<12 hex digits of creation time in ms><22 base64url chars of 128 random bits>`.
 *
 * - Unguessable: 128 random bits, so an id cannot be forged for another upload.
 * - URL-safe: hex and base64url only, nothing to escape in a query string.
 * - Sortable by initiation: the fixed-width time prefix makes lexicographic id order the
 *   initiation order, so ListMultipartUploads' `upload-id-marker` and its ordering coincide
 *   (S3-MULTIPART.md §1.1), and a sweeper reads an upload's age from its id alone.
 *
 * The binding to bucket + key lives in the upload record, which the engine checks on every call.
 */
const TIME_DIGITS = 12; // 48 bits of milliseconds: good until the year 10889
const RANDOM_CHARS = 22; // 16 bytes in unpadded base64url
const UPLOAD_ID_PATTERN = /^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/;

export const UPLOAD_ID_LENGTH = TIME_DIGITS + RANDOM_CHARS;

export function createUploadId(now: Date = new Date()): string {
  const time = Math.max(0, Math.floor(now.getTime()));
  return time.toString(16).padStart(TIME_DIGITS, '0') + randomBytes(16).toString('base64url');
}

export function isUploadId(value: string): boolean {
  return UPLOAD_ID_PATTERN.test(value);
}

/** The creation time carried by an upload id, or undefined when the value is not one. */
export function uploadIdTime(uploadId: string): Date | undefined {
  if (!isUploadId(uploadId)) return undefined;
  return new Date(Number.parseInt(uploadId.slice(0, TIME_DIGITS), 16));
}

/** Unique per attempt, so a re-uploaded part never overwrites the bytes the current record names. */
export function createPartId(partNumber: number): string {
  return `${String(partNumber).padStart(5, '0')}-${randomBytes(8).toString('hex')}`;
}
