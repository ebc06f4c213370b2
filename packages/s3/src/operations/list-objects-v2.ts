import type { ObjectInfo } from '@mpu/core';
import { bucketOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import type { XmlChild } from '../xml.js';
import { intParam, listingEncoder, ownerOf, ownerXml } from './shared.js';

export function contentsXml(ctx: RequestContext, object: ObjectInfo, encode: (v: string) => string, withOwner: boolean): XmlChild {
  return ['Contents', [
    ['Key', encode(object.key)],
    ['LastModified', xmlDate(object.lastModified)],
    ['ETag', quoteEtag(object.etag)],
    object.checksum === undefined ? undefined : ['ChecksumAlgorithm', object.checksum.algorithm],
    object.checksum === undefined ? undefined : ['ChecksumType', object.checksum.type],
    ['Size', object.size],
    withOwner ? ownerXml('Owner', object.owner ?? ownerOf(ctx)) : undefined,
    ['StorageClass', object.storageClass],
  ]];
}

export function maxKeysOf(ctx: RequestContext): number {
  return Math.min(intParam(ctx, 'max-keys', 1000) ?? 1000, 1000);
}

export async function listObjectsV2(ctx: RequestContext): Promise<void> {
  const { encode, encodingType } = listingEncoder(ctx);
  const prefix = queryParam(ctx, 'prefix');
  const delimiter = queryParam(ctx, 'delimiter');
  const continuationToken = queryParam(ctx, 'continuation-token');
  const startAfter = queryParam(ctx, 'start-after');
  const result = await ctx.engine.listObjects({
    bucket: bucketOf(ctx),
    prefix,
    delimiter: delimiter === '' ? undefined : delimiter,
    maxKeys: maxKeysOf(ctx),
    continuationToken: continuationToken === '' ? undefined : continuationToken,
    startAfter: startAfter === '' ? undefined : startAfter,
  });
  const withOwner = queryParam(ctx, 'fetch-owner') === 'true';
  sendXml(ctx.res, 200, resultDocument('ListBucketResult', [
    ['Name', bucketOf(ctx)],
    ['Prefix', encode(prefix ?? '')],
    delimiter === undefined || delimiter === '' ? undefined : ['Delimiter', encode(delimiter)],
    ['MaxKeys', result.maxKeys],
    encodingType === undefined ? undefined : ['EncodingType', encodingType],
    ['KeyCount', result.objects.length + result.commonPrefixes.length],
    ['IsTruncated', result.isTruncated],
    continuationToken === undefined ? undefined : ['ContinuationToken', continuationToken],
    result.nextContinuationToken === undefined ? undefined : ['NextContinuationToken', result.nextContinuationToken],
    startAfter === undefined ? undefined : ['StartAfter', encode(startAfter)],
    ...result.objects.map((o) => contentsXml(ctx, o, encode, withOwner)),
    ...result.commonPrefixes.map((p) => ['CommonPrefixes', [['Prefix', encode(p)]]] as const),
  ]));
}
