import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '@mpu/core';
import type { Address, QueryParam } from './addressing.js';
import type { SecretLookup } from './credentials.js';
import type { ResolvedOptions } from './options.js';
import type { OperationName } from './router.js';
import type { AuthResult } from './sigv4.js';

/** Everything an operation needs about one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly hostId: string;
  readonly method: string;
  readonly operation: OperationName;
  readonly address: Address;
  readonly query: readonly QueryParam[];
  readonly auth: AuthResult;
  readonly engine: Engine;
  readonly options: ResolvedOptions;
  /** Secrets by access key id, for operations that authenticate themselves (PostObject). */
  readonly lookupSecret: SecretLookup;
  /** Aborted when the client goes away before the response is finished. */
  readonly signal: AbortSignal;
  /** Body bytes received so far (for the request log). */
  bytesIn: number;
  /** The path the endpoint is mounted under (`/s3`), `''` at the root (for Location URLs). */
  readonly mountPath?: string;
}

export function queryParam(ctx: Pick<RequestContext, 'query'>, name: string): string | undefined {
  return ctx.query.find((p) => p.name === name)?.value;
}

export function headerOf(ctx: Pick<RequestContext, 'req'>, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The bucket of a bucket- or object-scoped operation (the router guarantees it). */
export function bucketOf(ctx: RequestContext): string {
  const bucket = ctx.address.bucket;
  if (bucket === undefined) throw new Error('operation routed without a bucket');
  return bucket;
}

export function keyOf(ctx: RequestContext): string {
  const key = ctx.address.key;
  if (key === undefined) throw new Error('operation routed without a key');
  return key;
}

/** `http://host[:port]` as the client addressed us (for Location URLs). */
export function requestOrigin(ctx: RequestContext): string {
  const encrypted = (ctx.req.socket as { encrypted?: boolean }).encrypted === true;
  const forwarded = headerOf(ctx, 'x-forwarded-proto');
  const scheme = forwarded ?? (encrypted ? 'https' : 'http');
  return `${scheme}://${headerOf(ctx, 'host') ?? 'localhost'}`;
}
