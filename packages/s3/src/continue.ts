import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * `Expect: 100-continue` support. By default Node answers `100 Continue` itself before the
 * handler runs, so auth and validation errors would arrive after the client started sending.
 * `attachContinueHandling(server, handler)` installs a `checkContinue` listener instead: the
 * handler then runs first, and `100 Continue` is sent only when an operation starts reading
 * the body — a request rejected earlier never uploads its body.
 */
const awaitingContinue = new WeakSet<IncomingMessage>();

export function attachContinueHandling(server: Server, handler: RequestListener): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    handler(req, res);
  });
}

/** Sends `100 Continue` if this request is still waiting for it (called before body reads). */
export function sendContinueIfAwaited(req: IncomingMessage, res: ServerResponse): void {
  if (!awaitingContinue.has(req)) return;
  awaitingContinue.delete(req);
  if (!res.headersSent) res.writeContinue();
}

/** True when the client is still holding its body back (the connection must not be reused). */
export function isAwaitingContinue(req: IncomingMessage): boolean {
  return awaitingContinue.has(req);
}
