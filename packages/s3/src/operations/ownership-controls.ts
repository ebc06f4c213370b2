import { OBJECT_OWNERSHIP_VALUES, S3Error } from '@mpu/core';
import type { ObjectOwnership } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';

/**
 * Get/Put/DeleteBucketOwnershipControls (`?ownershipControls`): one Rule with an
 * ObjectOwnership of BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html).
 */

export function parseObjectOwnership(value: string | undefined): ObjectOwnership | undefined {
  return (OBJECT_OWNERSHIP_VALUES as readonly (string | undefined)[]).includes(value) ? value as ObjectOwnership : undefined;
}

export async function putBucketOwnershipControls(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const root = parseXmlDocument(body.toString('utf8'), 'OwnershipControls');
  const rules = childElements(root, 'Rule');
  const ownership = rules.length === 1 ? parseObjectOwnership(childText(rules[0]!, 'ObjectOwnership')?.trim()) : undefined;
  if (ownership === undefined) {
    throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('one Rule with a valid ObjectOwnership is required') });
  }
  await ctx.engine.putBucketOwnershipControls(bucketOf(ctx), ownership);
  sendEmpty(ctx.res, 200);
}

export async function getBucketOwnershipControls(ctx: RequestContext): Promise<void> {
  const ownership = await ctx.engine.getBucketOwnershipControls(bucketOf(ctx));
  sendXml(ctx.res, 200, resultDocument('OwnershipControls', [['Rule', [['ObjectOwnership', ownership]]]]));
}

export async function deleteBucketOwnershipControls(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteBucketOwnershipControls(bucketOf(ctx));
  sendEmpty(ctx.res, 204);
}
