import type { ReadConditions } from '@mpu/core';
import { headerOf } from './request-context.js';
import type { RequestContext } from './request-context.js';

/**
 * Conditional request headers → engine `ReadConditions`. The engine evaluates them (RFC 9110
 * order, as S3 applies it): 412 PreconditionFailed, or NotModified for GET/HEAD (→ 304).
 */
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
