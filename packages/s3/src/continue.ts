import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * `Expect: 100-continue` support. By default Node answers `100 Continue` itself before the
 * handler runs, so auth and validation errors would arrive after the client started sending.
 * `attachContinueHandling(server)` installs a `checkContinue` listener instead: the request
 * then runs through the server's own request listener (the whole app, its middleware
 * included), and `100 Continue` is sent only when an S3 operation starts reading the body —
 * a request rejected earlier never uploads its body.
 *
 * While a `checkContinue` listener exists Node does not emit `'request'` for such requests
 * (https://nodejs.org/api/http.html#event-checkcontinue), so the listener must hand them to
 * the app: pass the app (Express, or any listener), or nothing to re-emit `'request'` on the
 * server, reaching whatever `createServer(app)` / `server.on('request')` installed. Passing
 * only the S3 handler of a larger app would skip the app's middleware for every upload.
 */
const awaitingContinue = new WeakSet<IncomingMessage>();

export function attachContinueHandling(server: Server, listener?: RequestListener): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    awaitingContinue.add(req);
    if (listener === undefined) server.emit('request', req, res);
    else listener(req, res);
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
