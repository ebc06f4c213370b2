import type { ServerResponse } from 'node:http';
import { S3Error } from '@mpu/core';
import type { ChecksumAlgorithm, ChecksumType, ObjectAttributesInput, ObjectChecksum, ObjectInfo } from '@mpu/core';
import { metadataFromHeader, metadataToHeader } from './header-text.js';
import { headerOf } from './request-context.js';
import type { RequestContext } from './request-context.js';
import { httpDate, quoteEtag } from './response.js';

/** Object headers in both directions: request → stored attributes, stored object → response. */

const ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** `aws-chunked` is a transport coding: strip it; nothing left → no Content-Encoding. */
export function storedContentEncoding(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const kept = value.split(',').map((t) => t.trim()).filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked');
  return kept.length === 0 ? undefined : kept.join(',');
}

export function objectAttributesFrom(ctx: RequestContext): ObjectAttributesInput {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    metadata[key] = metadataFromHeader(Array.isArray(value) ? value.join(',') : value);
  }
  // Metadata size, storage class and key limits are the engine's to check (one source of truth).
  const storageClass = headerOf(ctx, 'x-amz-storage-class');
  return {
    contentType: headerOf(ctx, 'content-type'),
    cacheControl: headerOf(ctx, 'cache-control'),
    contentDisposition: headerOf(ctx, 'content-disposition'),
    contentEncoding: storedContentEncoding(headerOf(ctx, 'content-encoding')),
    contentLanguage: headerOf(ctx, 'content-language'),
    expires: headerOf(ctx, 'expires'),
    metadata,
    storageClass,
    tagging: headerOf(ctx, 'x-amz-tagging'),
  };
}

export function parseChecksumAlgorithm(value: string | undefined, header: string): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if ((ALGORITHMS as readonly string[]).includes(upper)) return upper as ChecksumAlgorithm;
  if (['SHA512', 'MD5', 'XXHASH64', 'XXHASH3', 'XXHASH128'].includes(upper)) {
    throw new S3Error('NotImplemented', `Checksum algorithm ${upper} is not implemented`, { Header: header });
  }
  throw new S3Error('InvalidRequest', `Value for ${header} header is invalid.`);
}

export function parseChecksumType(value: string | undefined): ChecksumType | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper === 'COMPOSITE' || upper === 'FULL_OBJECT') return upper;
  throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
}

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `ChecksumCRC32` etc. */
export function checksumElementName(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

export function setChecksumHeaders(res: ServerResponse, checksum: ObjectChecksum | undefined): void {
  if (checksum === undefined) return;
  res.setHeader(checksumHeaderName(checksum.algorithm), checksum.value);
  res.setHeader('x-amz-checksum-type', checksum.type);
}

const RESPONSE_OVERRIDES: readonly (readonly [string, string])[] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

/** Headers of GET/HEAD object responses (without length/range, which depend on the read). */
export function setObjectHeaders(ctx: RequestContext, object: ObjectInfo): void {
  const { res } = ctx;
  res.setHeader('ETag', quoteEtag(object.etag));
  res.setHeader('Last-Modified', httpDate(object.lastModified));
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', object.contentType ?? 'binary/octet-stream');
  if (object.cacheControl !== undefined) res.setHeader('Cache-Control', object.cacheControl);
  if (object.contentDisposition !== undefined) res.setHeader('Content-Disposition', object.contentDisposition);
  if (object.contentEncoding !== undefined) res.setHeader('Content-Encoding', object.contentEncoding);
  if (object.contentLanguage !== undefined) res.setHeader('Content-Language', object.contentLanguage);
  if (object.expires !== undefined) res.setHeader('Expires', object.expires);
  if (object.storageClass !== 'STANDARD') res.setHeader('x-amz-storage-class', object.storageClass);
  if (object.tagCount !== undefined) res.setHeader('x-amz-tagging-count', object.tagCount);
  for (const [name, value] of Object.entries(object.metadata)) res.setHeader(`x-amz-meta-${name}`, metadataToHeader(value));
  for (const [param, headerName] of RESPONSE_OVERRIDES) {
    const value = ctx.query.find((p) => p.name === param)?.value;
    if (value !== undefined) res.setHeader(headerName, value);
  }
}
