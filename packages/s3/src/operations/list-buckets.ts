import type { RequestContext } from '../request-context.js';
import { sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { ownerOf, ownerXml } from './shared.js';

/**
 * With several owners, each sees the buckets it owns (and those from before owners were
 * recorded), as AWS lists only the caller's buckets.
 */
export async function listBuckets(ctx: RequestContext): Promise<void> {
  const caller = ownerOf(ctx).id;
  const all = await ctx.engine.listBuckets();
  const buckets = ctx.options.singleOwner ? all : all.filter((b) => b.owner === undefined || b.owner.id === caller);
  sendXml(ctx.res, 200, resultDocument('ListAllMyBucketsResult', [
    ownerXml('Owner', ownerOf(ctx)),
    ['Buckets', buckets.map((b) => ['Bucket', [['Name', b.name], ['CreationDate', xmlDate(b.created)]]] as const)],
  ]));
}
