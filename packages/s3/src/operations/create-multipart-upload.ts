import { aclFromHeaders } from '../acl-headers.js';
import { objectAttributesFrom, parseChecksumAlgorithm, parseChecksumType } from '../object-headers.js';
import { bucketOf, headerOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml } from '../response.js';
import { resultDocument } from '../xml.js';
import { ownerOf, setAbortHeaders } from './shared.js';

/** CreateMultipartUpload (§1.1). */
export async function createMultipartUpload(ctx: RequestContext): Promise<void> {
  const checksumAlgorithm = parseChecksumAlgorithm(headerOf(ctx, 'x-amz-checksum-algorithm'), 'x-amz-checksum-algorithm');
  // Combination rules (type without algorithm, FULL_OBJECT with SHA*) are the engine's.
  const checksumType = parseChecksumType(headerOf(ctx, 'x-amz-checksum-type'));
  const upload = await ctx.engine.createMultipartUpload({
    ...objectAttributesFrom(ctx),
    bucket: bucketOf(ctx),
    key: keyOf(ctx),
    checksumAlgorithm,
    checksumType,
    owner: ownerOf(ctx),
    acl: aclFromHeaders(ctx),
  });
  setAbortHeaders(ctx, upload);
  if (upload.checksumAlgorithm !== undefined) ctx.res.setHeader('x-amz-checksum-algorithm', upload.checksumAlgorithm);
  if (upload.checksumType !== undefined) ctx.res.setHeader('x-amz-checksum-type', upload.checksumType);
  sendXml(ctx.res, 200, resultDocument('InitiateMultipartUploadResult', [
    ['Bucket', upload.bucket],
    ['Key', upload.key],
    ['UploadId', upload.uploadId],
  ]));
}
