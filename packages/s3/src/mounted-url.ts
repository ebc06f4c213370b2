import type { IncomingMessage } from 'node:http';
import { S3Error } from '@mpu/core';

/**
 * Where a request sits when the handler is mounted below a path. The client signed the whole
 * path (`/s3/bucket/key`), so the signature is checked against it, while bucket and key are
 * addressed by the part below the mount point.
 */
export interface MountedUrl {
  /** The path as the client sent and signed it, still percent-encoded. */
  readonly signedPath: string;
  /** The path below the mount point (`/bucket/key`), still percent-encoded. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** The mount point the request arrived under (`/s3`), `''` at the root. */
  readonly mountPath: string;
}

/** `'/s3/'` → `'/s3'`; `''` and `'/'` mean the root. */
export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (!basePath.startsWith('/') || basePath.includes('?')) throw new TypeError(`basePath must be a path such as '/s3', got ${JSON.stringify(basePath)}`);
  return basePath.replace(/\/+$/, '');
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * Express's `app.use('/s3', …)` rewrites `req.url` to the part below the mount and keeps the
 * request line in `req.originalUrl` (https://expressjs.com/en/5x/api.html#req.originalUrl);
 * plain node:http and Fastify's raw request keep the full path in `req.url`. With a
 * `basePath`, the full path must lie under it; without one, an Express mount is still
 * recognised from `originalUrl`.
 */
export function mountedUrlOf(req: IncomingMessage, basePath: string): MountedUrl {
  const url = req.url ?? '/';
  const originalUrl = (req as { originalUrl?: unknown }).originalUrl;
  const full = splitUrl(typeof originalUrl === 'string' ? originalUrl : url);
  if (basePath !== '') {
    const below = full.path === basePath ? '/' : full.path.startsWith(`${basePath}/`) ? full.path.slice(basePath.length) : undefined;
    if (below === undefined) {
      throw new S3Error('InvalidArgument', `The request path is outside the S3 endpoint's base path ${basePath}`, { ArgumentName: 'uri', ArgumentValue: full.path });
    }
    return { signedPath: full.path, path: below, query: full.query, mountPath: basePath };
  }
  const routed = splitUrl(url).path;
  if (routed === full.path) return { signedPath: full.path, path: routed, query: full.query, mountPath: '' };
  const mountPath = full.path.endsWith(routed) ? full.path.slice(0, full.path.length - routed.length) : routed === '/' ? full.path : '';
  return { signedPath: full.path, path: routed, query: full.query, mountPath };
}
