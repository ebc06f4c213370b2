import { NoSuchCORSConfigurationError } from '../errors/s3-errors.js';
import { updateBucket } from './bucket-operations.js';
import { type EngineContext, requireBucket } from './engine-context.js';
import type { CorsRule } from './types.js';

/**
 * A bucket's CORS configuration (Put/Get/DeleteBucketCors), kept as a field of the bucket
 * record like the lifecycle rules, and the rule matching S3 applies to browser requests.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html#cors-eval-criteria
 */

export async function putBucketCors(ctx: EngineContext, name: string, rules: readonly CorsRule[]): Promise<void> {
  await updateBucket(ctx, name, (record) => ({ ...record, cors: rules.map((rule) => ({ ...rule })) }));
}

export async function getBucketCors(ctx: EngineContext, name: string): Promise<readonly CorsRule[]> {
  const { value } = await requireBucket(ctx, name);
  if (!value.cors || value.cors.length === 0) throw new NoSuchCORSConfigurationError(name);
  return value.cors;
}

export async function deleteBucketCors(ctx: EngineContext, name: string): Promise<void> {
  await updateBucket(ctx, name, ({ cors: _cors, ...rest }) => rest);
}

/** `pattern` with at most one `*` (any run of characters, possibly empty) against `value`. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

export interface CorsRequest {
  readonly origin: string;
  /** The actual method, or Access-Control-Request-Method for a preflight. */
  readonly method: string;
  /** Access-Control-Request-Headers of a preflight (any case); empty for actual requests. */
  readonly requestHeaders?: readonly string[];
}

/**
 * The first rule whose AllowedOrigin matches the Origin, whose AllowedMethod holds the method
 * and whose AllowedHeader patterns cover every requested header (header names compare
 * case-insensitively; origins and methods exactly, as S3 does).
 */
export function matchCorsRule(rules: readonly CorsRule[], request: CorsRequest): CorsRule | undefined {
  const headers = (request.requestHeaders ?? []).map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  return rules.find((rule) =>
    rule.allowedOrigins.some((pattern) => wildcardMatches(pattern, request.origin))
    && rule.allowedMethods.includes(request.method)
    && headers.every((name) => rule.allowedHeaders.some((pattern) => wildcardMatches(pattern.toLowerCase(), name))),
  );
}
