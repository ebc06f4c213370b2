import { S3Error } from '@mpu/core';
import type { CorsRule } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';
import type { XmlChild, XmlElement } from '../xml.js';

/**
 * Put/Get/DeleteBucketCors. The document is limited to 64 KB and 100 rules; each rule needs
 * at least one AllowedOrigin and one AllowedMethod.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html
 */

const MAX_RULES = 100;
const MAX_DOCUMENT_BYTES = 64 * 1024;
const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

function malformed(reason: string): S3Error {
  return new S3Error('MalformedXML', undefined, {}, { cause: new Error(reason) });
}

function texts(rule: XmlElement, name: string): string[] {
  return childElements(rule, name).map((element) => element.text.trim());
}

function checkOneWildcard(kind: 'AllowedOrigin' | 'AllowedHeader', values: readonly string[]): void {
  for (const value of values) {
    if (value.indexOf('*') !== value.lastIndexOf('*')) throw new S3Error('InvalidRequest', `${kind} "${value}" can not have more than one wildcard.`);
  }
}

function parseRule(rule: XmlElement): CorsRule {
  const allowedOrigins = texts(rule, 'AllowedOrigin');
  const allowedMethods = texts(rule, 'AllowedMethod');
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw malformed('a CORSRule needs AllowedOrigin and AllowedMethod');
  for (const method of allowedMethods) {
    if (!METHODS.has(method)) throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
  }
  const allowedHeaders = texts(rule, 'AllowedHeader');
  checkOneWildcard('AllowedOrigin', allowedOrigins);
  checkOneWildcard('AllowedHeader', allowedHeaders);
  const exposeHeaders = texts(rule, 'ExposeHeader');
  for (const name of exposeHeaders) {
    if (name.includes('*')) throw new S3Error('InvalidRequest', `ExposeHeader "${name}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
  }
  const maxAge = childText(rule, 'MaxAgeSeconds')?.trim();
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw malformed('MaxAgeSeconds must be an integer');
  const id = childText(rule, 'ID');
  if (id !== undefined && id.length > 255) throw new S3Error('InvalidArgument', 'ID length should not exceed allowed limit of 255', { ArgumentName: 'ID' });
  return {
    ...(id === undefined ? {} : { id }),
    allowedOrigins,
    allowedMethods,
    allowedHeaders,
    exposeHeaders,
    ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
  };
}

export function parseCorsRules(xml: string): CorsRule[] {
  const root = parseXmlDocument(xml, 'CORSConfiguration');
  const rules = childElements(root, 'CORSRule');
  if (rules.length === 0) throw malformed('at least one CORSRule is required');
  if (rules.length > MAX_RULES) throw malformed(`at most ${MAX_RULES} CORSRules are allowed`);
  return rules.map(parseRule);
}

export function corsRuleXml(rule: CorsRule): XmlChild {
  return ['CORSRule', [
    rule.id === undefined ? undefined : ['ID', rule.id],
    ...rule.allowedHeaders.map((value): XmlChild => ['AllowedHeader', value]),
    ...rule.allowedMethods.map((value): XmlChild => ['AllowedMethod', value]),
    ...rule.allowedOrigins.map((value): XmlChild => ['AllowedOrigin', value]),
    ...rule.exposeHeaders.map((value): XmlChild => ['ExposeHeader', value]),
    rule.maxAgeSeconds === undefined ? undefined : ['MaxAgeSeconds', rule.maxAgeSeconds],
  ]];
}

export async function putBucketCors(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, Math.min(MAX_DOCUMENT_BYTES, ctx.options.maxXmlBodyBytes));
  await ctx.engine.putBucketCors(bucketOf(ctx), parseCorsRules(body.toString('utf8')));
  sendEmpty(ctx.res, 200);
}

export async function getBucketCors(ctx: RequestContext): Promise<void> {
  const rules = await ctx.engine.getBucketCors(bucketOf(ctx));
  sendXml(ctx.res, 200, resultDocument('CORSConfiguration', rules.map(corsRuleXml)));
}

export async function deleteBucketCors(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteBucketCors(bucketOf(ctx));
  sendEmpty(ctx.res, 204);
}
