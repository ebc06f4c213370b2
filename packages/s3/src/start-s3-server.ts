import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { attachContinueHandling } from './continue.js';
import { createS3Handler } from './create-s3-handler.js';
import type { S3HandlerOptions } from './options.js';

export interface StartS3ServerOptions extends S3HandlerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Time allowed to receive request headers. Default 60 s. */
  readonly headersTimeoutMs?: number;
  /**
   * Serve HTTPS with this certificate chain and private key (PEM). SDKs default to HTTPS, and
   * presigned URLs sent over plain HTTP can be replayed by anyone who sees them.
   */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface RunningS3Server {
  /** `http://host:port`, or `https://` with `tls`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/**
 * http.createServer + listen with the handler mounted and 100-continue handled by the
 * handler. Node's whole-request timeout is disabled (a 5 GiB part may take long); a stalled
 * body is caught by the handler's idle timeout instead.
 */
export async function startS3Server(options: StartS3ServerOptions): Promise<RunningS3Server> {
  const handler = createS3Handler(options);
  const serverOptions = { requestTimeout: 0, headersTimeout: options.headersTimeoutMs ?? 60_000 };
  // An https.Server is an http.Server (same events, same 100-continue handling).
  const server: Server = options.tls
    ? createTlsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
    : createServer(serverOptions, handler);
  attachContinueHandling(server, handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeIdleConnections();
    }),
  };
}
