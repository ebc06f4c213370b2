import type { ByteRange } from '../blob-store.js';
import { InvalidRangeError } from '../errors/s3-errors.js';
import type { RangeRequest } from './types.js';

function describe(range: RangeRequest): string {
  return 'suffixLength' in range ? `bytes=-${range.suffixLength}` : `bytes=${range.start}-${range.end ?? ''}`;
}

/**
 * Resolves an HTTP range against an object size (RFC 7233 as S3 applies it):
 * `a-b` is clamped to the object, `a-` runs to the end, `-n` is the last n bytes (the whole
 * object when n ≥ size). A first byte past the end, `-0`, or any range of an empty object is
 * unsatisfiable → InvalidRange (416). A syntactically invalid range (b < a) is ignored, as
 * S3 does, and the whole object is returned (undefined).
 */
export function resolveRange(range: RangeRequest, size: number): ByteRange | undefined {
  if ('suffixLength' in range) {
    if (!Number.isSafeInteger(range.suffixLength) || range.suffixLength < 0) return undefined;
    if (range.suffixLength === 0 || size === 0) throw new InvalidRangeError(describe(range), size);
    return { start: Math.max(0, size - range.suffixLength), end: size - 1 };
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) return undefined;
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) return undefined;
  if (start >= size) throw new InvalidRangeError(describe(range), size);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
