import { bucketOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml, xmlDate } from '../response.js';
import { optionalChild, resultDocument } from '../xml.js';
import { intParam, listingEncoder, ownerXml } from './shared.js';

export async function listMultipartUploads(ctx: RequestContext): Promise<void> {
  const { encode, encodingType } = listingEncoder(ctx);
  const prefix = queryParam(ctx, 'prefix');
  const delimiter = queryParam(ctx, 'delimiter');
  const keyMarker = queryParam(ctx, 'key-marker');
  const uploadIdMarker = queryParam(ctx, 'upload-id-marker');
  const maxUploads = intParam(ctx, 'max-uploads', 1000) ?? 1000;
  const result = await ctx.engine.listMultipartUploads({
    bucket: bucketOf(ctx),
    prefix: prefix === '' ? undefined : prefix,
    delimiter: delimiter === '' ? undefined : delimiter,
    keyMarker: keyMarker === '' ? undefined : keyMarker,
    uploadIdMarker: uploadIdMarker === '' ? undefined : uploadIdMarker,
    maxUploads: Math.min(maxUploads, 1000),
  });
  sendXml(ctx.res, 200, resultDocument('ListMultipartUploadsResult', [
    ['Bucket', bucketOf(ctx)],
    ['KeyMarker', encode(keyMarker ?? '')],
    ['UploadIdMarker', uploadIdMarker ?? ''],
    ['NextKeyMarker', encode(result.nextKeyMarker ?? '')],
    ['NextUploadIdMarker', result.nextUploadIdMarker ?? ''],
    delimiter === undefined || delimiter === '' ? undefined : ['Delimiter', encode(delimiter)],
    ['Prefix', encode(prefix ?? '')],
    ['MaxUploads', result.maxUploads],
    ['IsTruncated', result.isTruncated],
    ...result.uploads.map((u) => ['Upload', [
      ['Key', encode(u.key)],
      ['UploadId', u.uploadId],
      ownerXml('Initiator', u.owner),
      ownerXml('Owner', u.owner),
      ['StorageClass', u.storageClass],
      ['Initiated', xmlDate(u.initiated)],
      optionalChild('ChecksumAlgorithm', u.checksumAlgorithm),
      optionalChild('ChecksumType', u.checksumType),
    ]] as const),
    ...result.commonPrefixes.map((p) => ['CommonPrefixes', [['Prefix', encode(p)]]] as const),
    encodingType === undefined ? undefined : ['EncodingType', encodingType],
  ]));
}
