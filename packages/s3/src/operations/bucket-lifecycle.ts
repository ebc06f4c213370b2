import { randomUUID } from 'node:crypto';
import { S3Error } from '@mpu/core';
import type { LifecycleRule } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';
import type { XmlChild, XmlElement } from '../xml.js';

/**
 * Put/Get/DeleteBucketLifecycleConfiguration (§9). Only AbortIncompleteMultipartUpload is
 * acted on; other actions (Expiration, Transitions, …) are kept as XML and echoed on Get.
 */

const MAX_RULES = 1000;
const HANDLED = new Set(['ID', 'Filter', 'Prefix', 'Status', 'AbortIncompleteMultipartUpload']);

function malformed(reason: string): S3Error {
  return new S3Error('MalformedXML', undefined, {}, { cause: new Error(reason) });
}

/** An element back into builder form (text leaves, nested children). */
function toXmlChild(name: string, element: XmlElement): XmlChild {
  if (element.children.size === 0) return [name, element.text];
  const children: XmlChild[] = [];
  for (const [childName, list] of element.children) for (const child of list) children.push(toXmlChild(childName, child));
  return [name, children];
}

function rulePrefix(rule: XmlElement): string {
  const filter = childElements(rule, 'Filter')[0];
  if (filter === undefined) return childText(rule, 'Prefix') ?? '';
  const and = childElements(filter, 'And')[0];
  if (childElements(filter, 'Tag').length > 0 || (and !== undefined && childElements(and, 'Tag').length > 0)) {
    // Uploads carry no tags; AWS rejects tag filters on this action.
    if (childElements(rule, 'AbortIncompleteMultipartUpload').length > 0) {
      throw new S3Error('InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Tags.');
    }
  }
  return childText(and ?? filter, 'Prefix') ?? '';
}

export function parseLifecycleRules(xml: string): LifecycleRule[] {
  const root = parseXmlDocument(xml, 'LifecycleConfiguration');
  const rules = childElements(root, 'Rule');
  if (rules.length === 0 || rules.length > MAX_RULES) throw malformed('1 to 1000 rules are required');
  const ids = new Set<string>();
  return rules.map((rule) => {
    const status = childText(rule, 'Status');
    if (status !== 'Enabled' && status !== 'Disabled') throw malformed('Status must be Enabled or Disabled');
    const id = childText(rule, 'ID') ?? randomUUID();
    if (id.length > 255) throw new S3Error('InvalidArgument', 'ID length should not exceed allowed limit of 255', { ArgumentName: 'ID' });
    if (ids.has(id)) throw new S3Error('InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule', { ArgumentName: 'ID', ArgumentValue: id });
    ids.add(id);
    const abort = childElements(rule, 'AbortIncompleteMultipartUpload')[0];
    let days: number | undefined;
    if (abort !== undefined) {
      const text = childText(abort, 'DaysAfterInitiation') ?? '';
      days = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
      if (!(days > 0)) {
        throw new S3Error('InvalidArgument', '\'DaysAfterInitiation\' for AbortIncompleteMultipartUpload action must be a positive integer', { ArgumentName: 'DaysAfterInitiation' });
      }
    }
    const raw: XmlChild[] = [];
    for (const [name, list] of rule.children) {
      if (HANDLED.has(name)) continue;
      for (const element of list) raw.push(toXmlChild(name, element));
    }
    return { id, status, prefix: rulePrefix(rule), abortIncompleteDaysAfterInitiation: days, raw: raw.length === 0 ? undefined : raw };
  });
}

export async function putBucketLifecycle(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  await ctx.engine.putBucketLifecycle(bucketOf(ctx), parseLifecycleRules(body.toString('utf8')));
  sendEmpty(ctx.res, 200);
}

export async function getBucketLifecycle(ctx: RequestContext): Promise<void> {
  const rules = await ctx.engine.getBucketLifecycle(bucketOf(ctx));
  sendXml(ctx.res, 200, resultDocument('LifecycleConfiguration', rules.map((rule) => ['Rule', [
    ['ID', rule.id],
    ['Filter', [['Prefix', rule.prefix]]],
    ['Status', rule.status],
    rule.abortIncompleteDaysAfterInitiation === undefined
      ? undefined
      : ['AbortIncompleteMultipartUpload', [['DaysAfterInitiation', rule.abortIncompleteDaysAfterInitiation]]],
    ...(Array.isArray(rule.raw) ? (rule.raw as XmlChild[]) : []),
  ]] as const)));
}

export async function deleteBucketLifecycle(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteBucketLifecycle(bucketOf(ctx));
  sendEmpty(ctx.res, 204);
}
