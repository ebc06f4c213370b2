import { S3Error } from '@mpu/core';
import { objectAttributesFrom, parseChecksumAlgorithm, parseChecksumType } from '../object-headers.js';
import { bucketOf, headerOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml } from '../response.js';
import { resultDocument } from '../xml.js';
import { ownerOf, setAbortHeaders } from './shared.js';

/** CreateMultipartUpload (§1.1), with the checksum-type validation AWS applies at Create. */
export async function createMultipartUpload(ctx: RequestContext): Promise<void> {
  const checksumAlgorithm = parseChecksumAlgorithm(headerOf(ctx, 'x-amz-checksum-algorithm'), 'x-amz-checksum-algorithm');
  const typeHeader = headerOf(ctx, 'x-amz-checksum-type');
  if (typeHeader !== undefined && checksumAlgorithm === undefined) {
    throw new S3Error('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
  }
  const checksumType = parseChecksumType(typeHeader);
  if (checksumType === 'FULL_OBJECT' && (checksumAlgorithm === 'SHA1' || checksumAlgorithm === 'SHA256')) {
    throw new S3Error('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${checksumAlgorithm.toLowerCase()} checksum algorithm.`);
  }
  if (checksumType === 'COMPOSITE' && checksumAlgorithm === 'CRC64NVME') {
    throw new S3Error('InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  }
  const upload = await ctx.engine.createMultipartUpload({
    ...objectAttributesFrom(ctx),
    bucket: bucketOf(ctx),
    key: keyOf(ctx),
    checksumAlgorithm,
    checksumType,
    owner: ownerOf(ctx),
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
