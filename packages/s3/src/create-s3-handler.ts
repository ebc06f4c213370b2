import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { S3Error } from '@mpu/core';
import { parseAddress, parseQuery } from './addressing.js';
import type { Address } from './addressing.js';
import { isAwaitingContinue } from './continue.js';
import { toSecretLookup } from './credentials.js';
import { sendError } from './error-response.js';
import { OPERATIONS } from './operations/index.js';
import { withProtectionLimits } from './protection-limits.js';
import { resolveOptions } from './options.js';
import type { ResolvedOptions, S3HandlerOptions } from './options.js';
import type { RequestContext } from './request-context.js';
import { routeRequest } from './router.js';
import type { OperationName } from './router.js';
import { authenticate } from './sigv4.js';
import { checkAccess } from './access-check.js';
import type { SignedRequestView } from './sigv4.js';

export type S3RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The S3 front end as a plain `(req, res)` listener for node:http, Express or Fastify (raw
 * req/res). Per request: address → route → authenticate → operation; every failure becomes
 * an S3 `<Error>` document. Routing errors are reported only after authentication succeeds,
 * so unauthenticated callers learn nothing about what is implemented.
 */
export function createS3Handler(options: S3HandlerOptions): S3RequestHandler {
  const resolved = resolveOptions(options);
  const lookupSecret = toSecretLookup(options.credentials);
  const handler: S3RequestHandler = (req, res) => {
    handle(req, res, resolved, lookupSecret).catch((error: unknown) => {
      // handle() answers every error itself; reaching here means writing the answer failed.
      resolved.logger?.error({ err: error }, 's3 handler failure');
      res.destroy();
    });
  };
  return options.protection ? withProtectionLimits(handler, { ...options.protection, engine: options.engine, baseDomain: options.baseDomain }) : handler;
}

function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function resourceOf(address: Address | undefined): string | undefined {
  if (address?.bucket === undefined) return undefined;
  return address.key === undefined ? `/${address.bucket}` : `/${address.bucket}/${address.key}`;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ResolvedOptions, lookupSecret: ReturnType<typeof toSecretLookup>): Promise<void> {
  const started = performance.now();
  const requestId = newRequestId();
  const hostId = randomBytes(24).toString('base64');
  const method = (req.method ?? 'GET').toUpperCase();
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', hostId);
  res.setHeader('Server', options.serverName);
  res.setHeader('Date', new Date().toUTCString());

  const controller = new AbortController();
  let operation: OperationName | 'Unknown' = 'Unknown';
  let address: Address | undefined;
  let ctx: RequestContext | undefined;
  let errorCode: string | undefined;
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new S3Error('IncompleteBody', 'The client closed the connection'));
    const info = {
      requestId,
      operation,
      method,
      bucket: address?.bucket,
      key: address?.key,
      status: res.statusCode,
      bytesIn: ctx?.bytesIn ?? 0,
      bytesOut: method === 'HEAD' ? 0 : Number(res.getHeader('content-length') ?? 0),
      ms: Math.round((performance.now() - started) * 10) / 10,
      errorCode,
    };
    options.onRequestDone?.(info);
    options.logger?.info(info, 's3 request');
  });

  try {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    address = parseAddress(rawPath, req.headers.host, options.baseDomain);
    const query = parseQuery(q === -1 ? '' : url.slice(q + 1));
    let routed: OperationName | undefined;
    let routeError: unknown;
    try {
      routed = routeRequest({
        method,
        bucket: address.bucket,
        key: address.key,
        query: new Set(query.map((p) => p.name)),
        copySource: req.headers['x-amz-copy-source'] !== undefined,
      });
    } catch (error) {
      routeError = error;
    }
    // Known before auth so that requests refused by authentication log what they attempted.
    if (routed !== undefined) operation = routed;
    const view: SignedRequestView = {
      method,
      rawPath,
      decodedPath: address.decodedPath,
      query,
      headers: req.headersDistinct,
    };
    const auth = await authenticate(view, {
      lookupSecret,
      regions: options.regions,
      now: options.clock(),
      maxSkewMs: options.maxSkewMs,
    });
    if (routed === undefined) throw routeError;
    ctx = {
      req, res, requestId, hostId, method, operation: routed, address, query, auth,
      engine: options.engine, options, signal: controller.signal, bytesIn: 0,
    };
    await checkAccess(ctx);
    await OPERATIONS[routed](ctx);
  } catch (error) {
    // A body the client is still sending (or holding back for 100-continue) would otherwise
    // be read as the next request: close the connection after the error.
    if (!res.headersSent && (!req.complete || isAwaitingContinue(req))) res.setHeader('Connection', 'close');
    const wire = sendError(res, error, { requestId, hostId, method, resource: resourceOf(address) });
    errorCode = wire.code;
    // After a client hang-up, failures are the hang-up's echo, not server faults.
    if (wire.unexpected && !controller.signal.aborted) options.logger?.error({ err: error, requestId, operation }, 'internal error');
  }
}
