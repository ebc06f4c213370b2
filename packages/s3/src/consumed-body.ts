import type { IncomingMessage } from 'node:http';

export const BODY_ALREADY_CONSUMED = 'the request body was already consumed by a body parser mounted before the S3 handler';

/**
 * A body parser in front of the handler (`express.json()`, `express.raw()`, …) reads the
 * stream before the handler sees it; reading on would store an empty or partial object. A
 * declared body that has already been read is a server misconfiguration: it fails as a plain
 * Error, i.e. 500 InternalError, logged with this message.
 */
export function assertBodyUnread(req: IncomingMessage): void {
  const declaresBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (declaresBody && (req.readableDidRead || req.readableEnded)) throw new Error(BODY_ALREADY_CONSUMED);
}
