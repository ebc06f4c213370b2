import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { S3Error } from '@mpu/core';
import { parseAddress, parseQuery, percentDecode } from './addressing.js';
import type { Address } from './addressing.js';
import { authorizeRequest, authorizationRequestOf } from './authorize.js';
import { assertBodyUnread } from './consumed-body.js';
import { isAwaitingContinue } from './continue.js';
import { answerPreflight, setCorsHeaders } from './cors.js';
import { toSecretLookup } from './credentials.js';
import { sendError } from './error-response.js';
import { mountedUrlOf } from './mounted-url.js';
import type { MountedUrl } from './mounted-url.js';
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
 * req/res). Per request: mount point → address → route → authenticate → authorize → operation;
 * every failure becomes an S3 `<Error>` document. Routing errors are reported only after
 * authentication succeeds, so unauthenticated callers learn nothing about what is implemented.
 */
export function createS3Handler(options: S3HandlerOptions): S3RequestHandler {
  const resolved = resolveOptions(options);
  const lookupSecret = toSecretLookup(options.credentials);
  const handler: S3RequestHandler = (req, res) => {
    handle(req, res, resolved, lookupSecret).catch((error: unknown) => {
      // handle() answers every error itself; reaching here means writing the answer failed.
      resolved.logger.error({ err: error }, 's3 handler failure');
      res.destroy();
    });
  };
  return options.protection ? withProtectionLimits(handler, { ...options.protection, engine: options.engine, baseDomain: options.baseDomain, basePath: options.basePath }) : handler;
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
  let operation: OperationName | 'Preflight' | 'Unknown' = 'Unknown';
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
    options.logger.info(info, 's3 request');
  });

  try {
    const url: MountedUrl = mountedUrlOf(req, options.basePath);
    address = parseAddress(url.path, req.headers.host, options.baseDomain);
    const query = parseQuery(url.query);
    if (method === 'OPTIONS') {
      operation = 'Preflight';
      await answerPreflight(req, res, options.engine, address);
      return;
    }
    // Before authentication, so that refusals carry the CORS headers a page needs to read them.
    await setCorsHeaders(req, res, options.engine, address, method);
    let routed: OperationName | undefined;
    let routeError: unknown;
    try {
      routed = routeRequest({
        method,
        bucket: address.bucket,
        key: address.key,
        query: new Set(query.map((p) => p.name)),
        copySource: req.headers['x-amz-copy-source'] !== undefined,
        contentType: req.headers['content-type'],
      });
    } catch (error) {
      routeError = error;
    }
    // Known before auth so that requests refused by authentication log what they attempted.
    if (routed !== undefined) operation = routed;
    // The client signed the full path, mount point included.
    const view: SignedRequestView = {
      method,
      rawPath: url.signedPath,
      decodedPath: url.signedPath === url.path ? address.decodedPath : percentDecode(url.signedPath),
      query,
      headers: req.headersDistinct,
    };
    // A browser POST is signed by its form fields (policy + x-amz-signature), which only the
    // operation can read: PostObject authenticates itself before storing anything.
    const auth = routed === 'PostObject' ? { presigned: false, payload: { kind: 'unsigned' } } as const : await authenticate(view, {
      lookupSecret,
      regions: options.regions,
      now: options.clock(),
      maxSkewMs: options.maxSkewMs,
    });
    if (routed === undefined) throw routeError;
    await authorizeRequest(options.authorize, authorizationRequestOf(auth, routed, address, query, req), req);
    assertBodyUnread(req);
    ctx = {
      req, res, requestId, hostId, method, operation: routed, address, query, auth,
      engine: options.engine, options, lookupSecret, signal: controller.signal, bytesIn: 0, mountPath: url.mountPath,
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
    if (wire.unexpected && !controller.signal.aborted) options.logger.error({ err: error, requestId, operation }, 'internal error');
    if (wire.code === 'InsufficientStorage') {
      options.logger.error({ err: error, requestId, operation }, 'storage is full: new parts and objects are refused until space is freed');
    }
  }
}
