import { S3Error } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty } from '../response.js';
import { childText, parseXmlDocument } from '../xml.js';

/**
 * PutBucketVersioning (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html):
 * `<VersioningConfiguration><Status>Enabled|Suspended</Status></VersioningConfiguration>`.
 * MFA delete needs an MFA device mpu does not have: enabling it is refused.
 */
export async function putBucketVersioning(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const root = parseXmlDocument(body.toString('utf8'), 'VersioningConfiguration');
  const status = childText(root, 'Status');
  const mfaDelete = childText(root, 'MfaDelete');
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled') {
    if (mfaDelete !== 'Enabled') throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('MfaDelete must be Enabled or Disabled') });
    throw new S3Error('NotImplemented', 'MFA delete is not implemented by mpu', {});
  }
  if (status === undefined) {
    // A configuration without Status changes nothing (AWS accepts it).
    sendEmpty(ctx.res, 200);
    return;
  }
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('Status must be Enabled or Suspended') });
  }
  await ctx.engine.putBucketVersioning(bucketOf(ctx), status);
  sendEmpty(ctx.res, 200);
}
