import { parseCopySourceRange } from '../range.js';
import { readConditionsFrom } from '../read-conditions.js';
import { headerOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { checksumElements, copySourceOf, partNumberOf, uploadRefOf } from './shared.js';

/** UploadPartCopy (§1.3). The body of the 200 must not be empty (the JS SDK treats that as an error). */
export async function uploadPartCopy(ctx: RequestContext): Promise<void> {
  const ref = uploadRefOf(ctx);
  const partNumber = partNumberOf(ctx);
  const range = parseCopySourceRange(headerOf(ctx, 'x-amz-copy-source-range'));
  const source = copySourceOf(ctx);
  const part = await ctx.engine.uploadPartCopy({
    ...ref,
    partNumber,
    source: { ...source, range },
    sourceConditions: readConditionsFrom(ctx, 'x-amz-copy-source-'),
  });
  // The version the request named (the engine read exactly that one).
  if (source.versionId !== undefined) ctx.res.setHeader('x-amz-copy-source-version-id', source.versionId);
  sendXml(ctx.res, 200, resultDocument('CopyPartResult', [
    ['ETag', quoteEtag(part.etag)],
    ['LastModified', xmlDate(part.lastModified)],
    ...checksumElements(part.checksums),
  ]));
}
