import type { RequestContext } from '../request-context.js';
import { sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { ownerOf, ownerXml } from './shared.js';

export async function listBuckets(ctx: RequestContext): Promise<void> {
  const buckets = await ctx.engine.listBuckets();
  sendXml(ctx.res, 200, resultDocument('ListAllMyBucketsResult', [
    ownerXml('Owner', ownerOf(ctx)),
    ['Buckets', buckets.map((b) => ['Bucket', [['Name', b.name], ['CreationDate', xmlDate(b.created)]]] as const)],
  ]));
}
