import type { ChecksumAlgorithm } from '@mpu/core';
import { checksumHeaderName } from '../object-headers.js';
import type { RequestContext } from '../request-context.js';
import { openPayload } from '../request-body.js';
import { quoteEtag, sendEmpty } from '../response.js';
import { partNumberOf, uploadRefOf } from './shared.js';

/**
 * UploadPart (§1.2): the body streams straight into the engine, which verifies MD5, SHA-256,
 * the checksum header or trailer, and the length in the same pass. The verified checksum is
 * echoed — s3transfer copies it into Complete only if it was echoed.
 */
export async function uploadPart(ctx: RequestContext): Promise<void> {
  const ref = uploadRefOf(ctx);
  const partNumber = partNumberOf(ctx);
  const payload = openPayload(ctx);
  const part = await ctx.engine.uploadPart({ ...ref, partNumber, body: payload.body, expect: payload.expect, signal: ctx.signal });
  ctx.res.setHeader('ETag', quoteEtag(part.etag));
  // The engine reports exactly the checksums this part should show (client's, upload's).
  for (const [algorithm, value] of Object.entries(part.checksums)) {
    if (value !== undefined) ctx.res.setHeader(checksumHeaderName(algorithm as ChecksumAlgorithm), value);
  }
  sendEmpty(ctx.res, 200);
}
