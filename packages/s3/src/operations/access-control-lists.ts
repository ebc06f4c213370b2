import { S3Error } from '@mpu/core';
import type { AclRequest } from '@mpu/core';
import { aclFromHeaders } from '../acl-headers.js';
import { accessControlPolicyXml, parseAccessControlPolicy } from '../acl-xml.js';
import { bucketOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';

/** Get/PutBucketAcl and Get/PutObjectAcl (`?acl`): headers (canned or grants) or an XML body. */

async function requestedAcl(ctx: RequestContext): Promise<AclRequest> {
  const fromHeaders = aclFromHeaders(ctx);
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  if (fromHeaders !== undefined) {
    if (body.length > 0) throw new S3Error('InvalidRequest', 'Specifying both ACL headers and an AccessControlPolicy body is not allowed');
    return fromHeaders;
  }
  return { grants: parseAccessControlPolicy(body.toString('utf8')) };
}

export async function getBucketAcl(ctx: RequestContext): Promise<void> {
  sendXml(ctx.res, 200, accessControlPolicyXml(await ctx.engine.getBucketAcl(bucketOf(ctx))));
}

export async function putBucketAcl(ctx: RequestContext): Promise<void> {
  await ctx.engine.putBucketAcl(bucketOf(ctx), await requestedAcl(ctx));
  sendEmpty(ctx.res, 200);
}

export async function getObjectAcl(ctx: RequestContext): Promise<void> {
  sendXml(ctx.res, 200, accessControlPolicyXml(await ctx.engine.getObjectAcl(bucketOf(ctx), keyOf(ctx))));
}

export async function putObjectAcl(ctx: RequestContext): Promise<void> {
  await ctx.engine.putObjectAcl(bucketOf(ctx), keyOf(ctx), await requestedAcl(ctx));
  sendEmpty(ctx.res, 200);
}
