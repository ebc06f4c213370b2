import { bucketOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml } from '../response.js';
import { resultDocument } from '../xml.js';
import { contentsXml, maxKeysOf } from './list-objects-v2.js';
import { listingEncoder } from './shared.js';

/** ListObjects (V1): `marker` instead of continuation tokens; Owner in every entry. */
export async function listObjectsV1(ctx: RequestContext): Promise<void> {
  const { encode, encodingType } = listingEncoder(ctx);
  const prefix = queryParam(ctx, 'prefix');
  const delimiter = queryParam(ctx, 'delimiter');
  const marker = queryParam(ctx, 'marker');
  const result = await ctx.engine.listObjects({
    bucket: bucketOf(ctx),
    prefix,
    delimiter: delimiter === '' ? undefined : delimiter,
    maxKeys: maxKeysOf(ctx),
    startAfter: marker === '' ? undefined : marker,
  });
  const lastObject = result.objects.at(-1)?.key;
  const lastPrefix = result.commonPrefixes.at(-1);
  const nextMarker = result.nextMarker ?? ([lastObject, lastPrefix].filter((v): v is string => v !== undefined).sort().at(-1));
  sendXml(ctx.res, 200, resultDocument('ListBucketResult', [
    ['Name', bucketOf(ctx)],
    // Not encoded: AWS encodes Delimiter, Marker, NextMarker, Key and CommonPrefixes/Prefix in
    // V1, and botocore (which asks for encoding-type=url by itself) decodes exactly those.
    ['Prefix', prefix ?? ''],
    ['Marker', encode(marker ?? '')],
    result.isTruncated && nextMarker !== undefined ? ['NextMarker', encode(nextMarker)] : undefined,
    ['MaxKeys', result.maxKeys],
    delimiter === undefined || delimiter === '' ? undefined : ['Delimiter', encode(delimiter)],
    encodingType === undefined ? undefined : ['EncodingType', encodingType],
    ['IsTruncated', result.isTruncated],
    ...result.objects.map((o) => contentsXml(ctx, o, encode, true)),
    ...result.commonPrefixes.map((p) => ['CommonPrefixes', [['Prefix', encode(p)]]] as const),
  ]));
}
