import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BucketState } from './bucket-state.js';
import { FaultInjector } from './faults.js';
import { GcsHttpError } from './gcs-error.js';
import { decodedSegments, sendError, sendJson } from './http-util.js';
import type { RequestContext } from './request-context.js';
import { ObjectBuilder } from './object-builder.js';
import { assertObjectName } from './object-names.js';
import { route } from './router.js';
import { uploadedObject } from './routes/uploads.js';
import { ResumableSessions } from './routes/resumable-session.js';
import { StatsRecorder, type ServerStats } from './stats.js';

export interface GcsTestServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Only loopback: the server has no authentication. */
  readonly host?: '127.0.0.1';
  /** Buckets that exist from the start. */
  readonly buckets?: readonly string[];
}

export interface GcsTestServer {
  /** `http://127.0.0.1:PORT` — pass as `apiEndpoint`. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  /** Bytes in uploads / media downloads and requests by operation since the last reset. */
  stats(): ServerStats;
  resetStats(): void;
  /** Drops every bucket, object and upload session. */
  reset(): void;
  createBucket(name: string): void;
  /**
   * Writes an object directly into the server's state (no HTTP), as an upload would: for tests
   * that need many objects staged quickly (e.g. 10,000 parts before a compose tree).
   */
  seedObject(bucket: string, name: string, bytes: Uint8Array, contentType?: string): void;
  close(): Promise<void>;
}

function isClientGone(error: unknown, req: IncomingMessage): boolean {
  const code = (error as { code?: string }).code;
  return req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Reads `limit` request bytes and then cuts the connection, as a network reset would. */
async function resetAfter(req: IncomingMessage, res: ServerResponse, limit: number): Promise<void> {
  let seen = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen >= limit) break;
    }
  } finally {
    req.socket?.destroy();
    res.destroy();
  }
}

function decodedForMatching(pathAndQuery: string): string {
  try {
    return decodeURIComponent(pathAndQuery.replace(/\+/g, ' '));
  } catch {
    return pathAndQuery;
  }
}

/** Lets the handler run to completion but cuts the connection where the answer would start. */
function dropResponseOf(req: IncomingMessage, res: ServerResponse): void {
  const cut = (): ServerResponse => {
    req.socket?.destroy();
    return res;
  };
  res.writeHead = cut as typeof res.writeHead;
  res.end = cut as typeof res.end;
  res.write = (() => (cut(), false)) as typeof res.write;
}

export async function startGcsTestServer(options: GcsTestServerOptions = {}): Promise<GcsTestServer> {
  const state = new BucketState();
  const sessions = new ResumableSessions();
  const stats = new StatsRecorder();
  const faults = new FaultInjector();
  for (const bucket of options.buckets ?? []) state.createBucket(bucket);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const method = req.method ?? 'GET';
    if (req.headers.authorization !== undefined) stats.authorized++;
    const fault = faults.take(method, decodedForMatching(url.pathname + url.search));
    if (fault && 'status' in fault) {
      const error = new GcsHttpError(fault.status, fault.status === 429 ? 'rateLimitExceeded' : 'backendError', 'Injected fault.');
      sendJson(res, fault.status, error.toJSON(), { Connection: 'close' });
      return;
    }
    if (fault && 'resetAfterBytes' in fault && method !== 'GET' && method !== 'HEAD') return resetAfter(req, res, fault.resetAfterBytes);
    if (fault && 'dropResponse' in fault) dropResponseOf(req, res);
    try {
      const ctx: RequestContext = {
        req, res, url, query: url.searchParams,
        segments: decodedSegments(url.pathname),
        baseUrl: `http://${req.headers.host ?? `127.0.0.1:${port}`}`,
        state, stats, sessions,
        ...(fault && 'resetAfterBytes' in fault ? { resetAfterBytes: fault.resetAfterBytes } : {}),
      };
      await route(ctx);
    } catch (error) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (error instanceof GcsHttpError) {
        if (!req.complete) res.setHeader('Connection', 'close');
        sendError(res, error);
        return;
      }
      if (isClientGone(error, req)) return;
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 500, new GcsHttpError(500, 'internalError', message).toJSON());
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    faults,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    reset: () => {
      state.clear();
      sessions.clear();
      faults.clear();
      stats.reset();
    },
    createBucket: (name) => void state.createBucket(name),
    seedObject: (bucket, name, bytes, contentType = 'application/octet-stream') => {
      assertObjectName(name);
      const builder = new ObjectBuilder();
      builder.append(Buffer.from(bytes));
      const built = builder.finish();
      state.put(bucket, name, {}, (generation) => uploadedObject(bucket, name, built, contentType, undefined, generation));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
