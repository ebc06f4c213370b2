import { S3Error } from '@mpu/core';
import type { ObjectInfo, ReadConditions } from '@mpu/core';
import { normalizeEtag } from '@mpu/core';
import { headerOf } from './request-context.js';
import type { RequestContext } from './request-context.js';

/**
 * GET/HEAD conditional headers (RFC 9110 §13.2.2 order, as S3 applies them): If-Match, then
 * If-Unmodified-Since (only without If-Match) → 412; If-None-Match, then If-Modified-Since
 * (only without If-None-Match) → 304.
 */
export type ConditionOutcome = 'ok' | 'not-modified';

function parseHttpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function readConditionsFrom(ctx: RequestContext, prefix = ''): ReadConditions {
  return {
    ifMatch: headerOf(ctx, `${prefix}if-match`),
    ifNoneMatch: headerOf(ctx, `${prefix}if-none-match`),
    ifModifiedSince: parseHttpDate(headerOf(ctx, `${prefix}if-modified-since`)),
    ifUnmodifiedSince: parseHttpDate(headerOf(ctx, `${prefix}if-unmodified-since`)),
  };
}

function etagListMatches(list: string, etag: string): boolean {
  const target = normalizeEtag(etag);
  return list.split(',').some((item) => {
    const candidate = item.trim();
    return candidate === '*' || normalizeEtag(candidate.replace(/^W\//, '')) === target;
  });
}

/** Whole-second comparison: HTTP dates carry no milliseconds. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function evaluateReadConditions(conditions: ReadConditions, object: ObjectInfo): ConditionOutcome {
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  if (ifMatch !== undefined && !etagListMatches(ifMatch, object.etag)) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
  if (ifMatch === undefined && ifUnmodifiedSince !== undefined && seconds(object.lastModified) > seconds(ifUnmodifiedSince)) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
  }
  if (ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, object.etag)) return 'not-modified';
  if (ifNoneMatch === undefined && ifModifiedSince !== undefined && seconds(object.lastModified) <= seconds(ifModifiedSince)) {
    return 'not-modified';
  }
  return 'ok';
}
