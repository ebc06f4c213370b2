import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3Error, matchCorsRule } from '@mpu/core';
import type { CorsRule, Engine } from '@mpu/core';
import type { Address } from './addressing.js';

/**
 * Browser CORS from the bucket's rules: preflights (OPTIONS, answered without a signature, as
 * S3 does) and the Access-Control-* headers on every response to a request whose Origin a
 * rule allows, errors included.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html
 */

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The bucket's rules, or undefined when the bucket or its configuration does not exist. */
async function rulesOf(engine: Engine, bucket: string): Promise<readonly CorsRule[] | undefined> {
  try {
    return await engine.getBucketCors(bucket);
  } catch (error) {
    if (error instanceof S3Error && (error.code === 'NoSuchCORSConfiguration' || error.code === 'NoSuchBucket')) return undefined;
    throw error;
  }
}

/**
 * A rule allowing any origin answers `*` (and no credentials); one naming origins echoes the
 * request's Origin with `Access-Control-Allow-Credentials: true`, as S3 does.
 */
function setAllowHeaders(res: ServerResponse, rule: CorsRule, origin: string): void {
  const anyOrigin = rule.allowedOrigins.includes('*');
  res.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
  res.setHeader('Access-Control-Allow-Methods', rule.allowedMethods.join(', '));
  if (!anyOrigin) res.setHeader('Access-Control-Allow-Credentials', 'true');
  if (rule.exposeHeaders.length > 0) res.setHeader('Access-Control-Expose-Headers', rule.exposeHeaders.join(', '));
  if (rule.maxAgeSeconds !== undefined) res.setHeader('Access-Control-Max-Age', String(rule.maxAgeSeconds));
}

/**
 * Sets the CORS headers for an actual (non-preflight) request before it is authenticated, so
 * that refusals reach the page too. Requests without Origin, or to buckets without rules, are
 * left alone.
 */
export async function setCorsHeaders(req: IncomingMessage, res: ServerResponse, engine: Engine, address: Address, method: string): Promise<void> {
  const origin = firstHeader(req, 'origin');
  if (origin === undefined || address.bucket === undefined) return;
  const rules = await rulesOf(engine, address.bucket);
  if (rules === undefined) return;
  res.setHeader('Vary', VARY);
  const rule = matchCorsRule(rules, { origin, method });
  if (rule !== undefined) setAllowHeaders(res, rule, origin);
}

function forbidden(message: string | undefined, method: string, address: Address): S3Error {
  return new S3Error('AccessForbidden', message, { Method: method, ResourceType: address.key === undefined ? 'BUCKET' : 'OBJECT' });
}

/** Answers an OPTIONS preflight, or throws the S3 error it deserves. */
export async function answerPreflight(req: IncomingMessage, res: ServerResponse, engine: Engine, address: Address): Promise<void> {
  const origin = firstHeader(req, 'origin');
  if (origin === undefined) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  const method = firstHeader(req, 'access-control-request-method');
  if (method === undefined) throw new S3Error('BadRequest', 'Invalid Access-Control-Request-Method: null');
  const rules = address.bucket === undefined ? undefined : await rulesOf(engine, address.bucket);
  if (rules === undefined) throw forbidden('CORSResponse: CORS is not enabled for this bucket.', method, address);
  const requested = (firstHeader(req, 'access-control-request-headers') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const rule = matchCorsRule(rules, { origin, method, requestHeaders: requested });
  if (rule === undefined) throw forbidden(undefined, method, address);
  setAllowHeaders(res, rule, origin);
  // The requested headers are echoed (lower-cased), as S3 does, rather than the patterns.
  if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.map((name) => name.toLowerCase()).join(', '));
  res.setHeader('Vary', VARY);
  res.statusCode = 200;
  res.setHeader('Content-Length', 0);
  res.end();
}
