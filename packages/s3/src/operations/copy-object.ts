import { S3Error } from '@mpu/core';
import { aclFromHeaders } from '../acl-headers.js';
import { checksumElementName, objectAttributesFrom } from '../object-headers.js';
import { readConditionsFrom } from '../read-conditions.js';
import { bucketOf, headerOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { quoteEtag, sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { copySourceOf, ownerOf, setVersionIdHeader } from './shared.js';

export async function copyObject(ctx: RequestContext): Promise<void> {
  const directive = headerOf(ctx, 'x-amz-metadata-directive')?.toUpperCase() ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  const taggingDirective = headerOf(ctx, 'x-amz-tagging-directive')?.toUpperCase() ?? 'COPY';
  if (taggingDirective !== 'COPY' && taggingDirective !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown tagging directive.', { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: taggingDirective });
  }
  const result = await ctx.engine.copyObject({
    bucket: bucketOf(ctx),
    key: keyOf(ctx),
    source: copySourceOf(ctx),
    sourceConditions: readConditionsFrom(ctx, 'x-amz-copy-source-'),
    metadataDirective: directive,
    attributes: directive === 'REPLACE' ? objectAttributesFrom(ctx) : undefined,
    taggingDirective,
    tagging: headerOf(ctx, 'x-amz-tagging'),
    owner: ownerOf(ctx),
    acl: aclFromHeaders(ctx),
  });
  setVersionIdHeader(ctx, result.versionId);
  if (result.sourceVersionId !== undefined) ctx.res.setHeader('x-amz-copy-source-version-id', result.sourceVersionId);
  sendXml(ctx.res, 200, resultDocument('CopyObjectResult', [
    ['ETag', quoteEtag(result.etag)],
    ['LastModified', xmlDate(result.lastModified)],
    result.checksum === undefined ? undefined : ['ChecksumType', result.checksum.type],
    result.checksum === undefined ? undefined : [checksumElementName(result.checksum.algorithm), result.checksum.value],
  ]));
}
