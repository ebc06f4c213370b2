import { bucketOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import type { XmlChild } from '../xml.js';
import { maxKeysOf } from './list-objects-v2.js';
import { listingEncoder, ownerOf, ownerXml } from './shared.js';

/**
 * ListObjectVersions (`GET /bucket?versions`,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html): `Version` and
 * `DeleteMarker` elements in listing order, then `CommonPrefixes`.
 */
export async function listObjectVersions(ctx: RequestContext): Promise<void> {
  const { encode, encodingType } = listingEncoder(ctx);
  const prefix = queryParam(ctx, 'prefix');
  const delimiter = queryParam(ctx, 'delimiter');
  const keyMarker = queryParam(ctx, 'key-marker');
  const versionIdMarker = queryParam(ctx, 'version-id-marker');
  const result = await ctx.engine.listObjectVersions({
    bucket: bucketOf(ctx),
    prefix,
    delimiter: delimiter === '' ? undefined : delimiter,
    maxKeys: maxKeysOf(ctx),
    keyMarker: keyMarker === '' ? undefined : keyMarker,
    versionIdMarker: versionIdMarker === '' ? undefined : versionIdMarker,
  });
  const owner = ownerXml('Owner', ownerOf(ctx));
  const entries = result.entries.map((entry): XmlChild => {
    if (entry.kind === 'deleteMarker') {
      const m = entry.marker;
      return ['DeleteMarker', [
        owner, ['Key', encode(m.key)], ['VersionId', m.versionId], ['IsLatest', m.isLatest], ['LastModified', xmlDate(m.lastModified)],
      ]];
    }
    const v = entry.version;
    return ['Version', [
      v.checksum === undefined ? undefined : ['ChecksumAlgorithm', v.checksum.algorithm],
      v.checksum === undefined ? undefined : ['ChecksumType', v.checksum.type],
      ['ETag', quoteEtag(v.etag)],
      ['Size', v.size],
      owner,
      ['StorageClass', v.storageClass],
      ['Key', encode(v.key)],
      ['VersionId', v.versionId],
      ['IsLatest', v.isLatest],
      ['LastModified', xmlDate(v.lastModified)],
    ]];
  });
  sendXml(ctx.res, 200, resultDocument('ListVersionsResult', [
    ['IsTruncated', result.isTruncated],
    ['KeyMarker', encode(keyMarker ?? '')],
    ['VersionIdMarker', versionIdMarker ?? ''],
    result.nextKeyMarker === undefined ? undefined : ['NextKeyMarker', encode(result.nextKeyMarker)],
    result.nextVersionIdMarker === undefined ? undefined : ['NextVersionIdMarker', result.nextVersionIdMarker],
    ['Name', bucketOf(ctx)],
    ['Prefix', encode(prefix ?? '')],
    delimiter === undefined || delimiter === '' ? undefined : ['Delimiter', encode(delimiter)],
    ['MaxKeys', result.maxKeys],
    encodingType === undefined ? undefined : ['EncodingType', encodingType],
    ...entries,
    ...result.commonPrefixes.map((p): XmlChild => ['CommonPrefixes', [['Prefix', encode(p)]]]),
  ]));
}
