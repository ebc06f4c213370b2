import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { checksumElements, intParam, ownerXml, setAbortHeaders, uploadRefOf } from './shared.js';

/** ListParts (§1.6, §6.1). */
export async function listParts(ctx: RequestContext): Promise<void> {
  const maxParts = intParam(ctx, 'max-parts');
  const result = await ctx.engine.listParts({
    ...uploadRefOf(ctx),
    maxParts: maxParts === undefined ? undefined : Math.min(maxParts, 1000),
    partNumberMarker: intParam(ctx, 'part-number-marker'),
  });
  const { upload } = result;
  setAbortHeaders(ctx, upload);
  const algorithm = upload.checksumAlgorithm;
  sendXml(ctx.res, 200, resultDocument('ListPartsResult', [
    ['Bucket', upload.bucket],
    ['Key', upload.key],
    ['UploadId', upload.uploadId],
    ownerXml('Initiator', upload.owner),
    ownerXml('Owner', upload.owner),
    ['StorageClass', upload.storageClass],
    ['PartNumberMarker', result.partNumberMarker],
    ['NextPartNumberMarker', result.nextPartNumberMarker],
    ['MaxParts', result.maxParts],
    ['IsTruncated', result.isTruncated],
    ...result.parts.map((p) => ['Part', [
      ['PartNumber', p.partNumber],
      ['LastModified', xmlDate(p.lastModified)],
      ['ETag', quoteEtag(p.etag)],
      ['Size', p.size],
      // Only the upload's own algorithm: other values the engine keeps are internal.
      ...checksumElements(algorithm === undefined ? {} : { [algorithm]: p.checksums[algorithm] }),
    ]] as const),
    algorithm === undefined ? undefined : ['ChecksumAlgorithm', algorithm],
    upload.checksumType === undefined ? undefined : ['ChecksumType', upload.checksumType],
  ]));
}
