import { S3Error } from '@mpu/core';
import type { ChecksumValues, Owner, UploadInfo } from '@mpu/core';
import { percentDecode } from '../addressing.js';
import { checksumElementName } from '../object-headers.js';
import { bucketOf, headerOf, keyOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { httpDate } from '../response.js';
import { s3UriEncode } from '../sigv4.js';
import type { XmlChild } from '../xml.js';

/** Small pieces several operations share. */

/**
 * `partNumber` query value. Only the syntax is checked here; the range (1..10000, or the
 * engine's profile, e.g. 1..1000 for scaleway) is the engine's, after it has confirmed the
 * upload exists — the validation order of §1.2.
 */
export function partNumberOf(ctx: RequestContext): number {
  const raw = queryParam(ctx, 'partNumber') ?? '';
  if (!/^\d{1,9}$/.test(raw)) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: raw,
    });
  }
  return Number(raw);
}

/** A non-negative integer query parameter (max-keys, max-parts, markers…). */
export function intParam(ctx: RequestContext, name: string, fallback?: number): number | undefined {
  const raw = queryParam(ctx, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 2147483647) {
    throw new S3Error('InvalidArgument', `Argument ${name} must be an integer between 0 and 2147483647`, {
      ArgumentName: name,
      ArgumentValue: raw,
    });
  }
  return Number(raw);
}

export function uploadRefOf(ctx: RequestContext): { bucket: string; key: string; uploadId: string } {
  return { bucket: bucketOf(ctx), key: keyOf(ctx), uploadId: queryParam(ctx, 'uploadId') ?? '' };
}

/** Owner recorded for what the anonymous principal writes (a public-read-write bucket). */
export const ANONYMOUS_OWNER: Owner = Object.freeze({ id: 'anonymous', displayName: 'anonymous' });

/** The request's principal as an S3 owner (credentials.ts: each key names its owner). */
export function ownerOf(ctx: RequestContext): Owner {
  const accessKeyId = ctx.auth.accessKeyId;
  return accessKeyId === undefined ? ANONYMOUS_OWNER : ctx.options.ownerOf(accessKeyId);
}

export function ownerXml(name: 'Owner' | 'Initiator', owner: Owner): XmlChild {
  return [name, [['ID', owner.id], ['DisplayName', owner.displayName]]];
}

export function checksumElements(checksums: ChecksumValues | undefined): XmlChild[] {
  if (checksums === undefined) return [];
  return Object.entries(checksums)
    .filter((entry): entry is [keyof ChecksumValues, string] => entry[1] !== undefined)
    .map(([algorithm, value]) => [checksumElementName(algorithm), value] as const);
}

/** `encoding-type=url` (§6.2): percent-encode keys and prefixes in listings. */
export function listingEncoder(ctx: RequestContext): { encode: (value: string) => string; encodingType?: string } {
  const type = queryParam(ctx, 'encoding-type');
  if (type === undefined || type === '') return { encode: (v) => v };
  if (type !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  }
  return { encode: (v) => s3UriEncode(v, true), encodingType: 'url' };
}

export function setAbortHeaders(ctx: RequestContext, upload: UploadInfo): void {
  if (upload.abortDate !== undefined) ctx.res.setHeader('x-amz-abort-date', httpDate(upload.abortDate));
  if (upload.abortRuleId !== undefined) ctx.res.setHeader('x-amz-abort-rule-id', upload.abortRuleId);
}

/** `x-amz-copy-source: [/]bucket/url-encoded-key[?versionId=V]`, decoded exactly once. */
export function copySourceOf(ctx: Pick<RequestContext, 'req'>): { bucket: string; key: string; versionId?: string } {
  const raw = headerOf(ctx, 'x-amz-copy-source') ?? '';
  const question = raw.indexOf('?');
  const path = question === -1 ? raw : raw.slice(0, question);
  let versionId: string | undefined;
  if (question !== -1) {
    const query = raw.slice(question + 1);
    if (query.startsWith('versionId=')) versionId = percentDecode(query.slice('versionId='.length));
  }
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: raw,
    });
  }
  return {
    bucket: percentDecode(trimmed.slice(0, slash)),
    key: percentDecode(trimmed.slice(slash + 1)),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

/** `x-amz-version-id` on responses that name a version (absent in never-versioned buckets). */
export function setVersionIdHeader(ctx: RequestContext, versionId: string | undefined): void {
  if (versionId !== undefined && !ctx.res.headersSent) ctx.res.setHeader('x-amz-version-id', versionId);
}
