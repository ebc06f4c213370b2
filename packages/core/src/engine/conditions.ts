import { normalizeEtag } from '../checksums/index.js';
import { NoSuchKeyError, NotModifiedError, PreconditionFailedError } from '../errors/s3-errors.js';
import type { ReadConditions, WriteConditions } from './types.js';

function etagMatches(condition: string, etag: string): boolean {
  // If-Match / If-None-Match may carry a list of ETags.
  return condition.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || normalizeEtag(trimmed) === normalizeEtag(etag);
  });
}

/** HTTP dates have second precision; compare at that precision so an echoed Last-Modified matches. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * GET/HEAD (and copy-source) conditions in RFC 7232 §6 order: If-Match, else
 * If-Unmodified-Since → 412; If-None-Match, else If-Modified-Since → 304 for reads, 412 for
 * copy sources (`notModifiedFails`).
 */
export function checkReadConditions(
  conditions: ReadConditions | undefined,
  object: { readonly etag: string; readonly lastModified: Date },
  options: { readonly notModifiedFails?: boolean; readonly prefix?: string } = {},
): void {
  if (!conditions) return;
  const prefix = options.prefix ?? '';
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, object.etag)) throw new PreconditionFailedError(`${prefix}If-Match`);
  } else if (ifUnmodifiedSince !== undefined && seconds(object.lastModified) > seconds(ifUnmodifiedSince)) {
    throw new PreconditionFailedError(`${prefix}If-Unmodified-Since`);
  }
  const notModified = (condition: string): never => {
    if (options.notModifiedFails) throw new PreconditionFailedError(`${prefix}${condition}`);
    throw new NotModifiedError(object.etag, object.lastModified);
  };
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, object.etag)) notModified('If-None-Match');
  } else if (ifModifiedSince !== undefined && seconds(object.lastModified) <= seconds(ifModifiedSince)) {
    notModified('If-Modified-Since');
  }
}

/**
 * Conditional writes (PutObject, Complete — S3-MULTIPART.md §10 table), against the current
 * object (undefined when absent).
 */
export function checkWriteConditions(
  conditions: WriteConditions | undefined,
  key: string,
  current: { readonly etag: string } | undefined,
): void {
  if (!conditions) return;
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifMatch !== undefined) {
    if (!current) throw new NoSuchKeyError(key);
    if (!etagMatches(ifMatch, current.etag)) throw new PreconditionFailedError('If-Match');
  }
  if (ifNoneMatch !== undefined && current && etagMatches(ifNoneMatch, current.etag)) {
    throw new PreconditionFailedError('If-None-Match');
  }
}

export function hasWriteConditions(conditions: WriteConditions | undefined): boolean {
  return conditions !== undefined && (conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined);
}
