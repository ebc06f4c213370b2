import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with the next request that matches. */
export type Fault =
  /** Forward it, then cut the connection instead of returning the response (a lost response). */
  | 'lose-response'
  /** Answer 503 without forwarding (the service is busy). */
  | 'busy'
  /** Forward it with the first body byte flipped (corruption in transit). */
  | 'corrupt-body';

export interface FaultRule {
  readonly match: (request: IncomingMessage) => boolean;
  readonly fault: Fault;
  /** How many matching requests to hit (default 1). */
  times?: number;
}

/**
 * A loopback HTTP proxy in front of the blob endpoint that injects faults into chosen requests.
 * SharedKey signatures cover the path and headers, not the host, so requests signed for the
 * proxy's address are valid upstream.
 */
export class FaultProxy {
  readonly rules: FaultRule[] = [];
  /** Every request seen, as `METHOD url`. */
  readonly requests: string[] = [];
  readonly #server: Server;
  readonly #upstream: URL;

  private constructor(upstream: URL) {
    this.#upstream = upstream;
    this.#server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      const rule = this.rules.find((r) => (r.times ?? 1) > 0 && r.match(req));
      if (rule) rule.times = (rule.times ?? 1) - 1;
      if (rule?.fault === 'busy') {
        req.resume();
        res.writeHead(503, { 'x-ms-error-code': 'ServerBusy' }).end();
        return;
      }
      const forwarded = httpRequest(
        { host: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          if (rule?.fault === 'lose-response') {
            upstreamRes.resume();
            upstreamRes.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forwarded.on('error', () => req.socket.destroy());
      if (rule?.fault !== 'corrupt-body') {
        req.pipe(forwarded);
        return;
      }
      let first = true;
      req.on('data', (chunk: Buffer) => {
        if (first && chunk.length > 0) {
          chunk = Buffer.from(chunk);
          chunk[0] = chunk[0]! ^ 0xff;
          first = false;
        }
        forwarded.write(chunk);
      });
      req.on('end', () => forwarded.end());
    });
  }

  static async start(connectionString: string): Promise<{ proxy: FaultProxy; connectionString: string }> {
    const endpoint = /BlobEndpoint=([^;]+)/.exec(connectionString)?.[1];
    if (!endpoint) throw new Error('the connection string has no BlobEndpoint');
    const upstream = new URL(endpoint);
    const proxy = new FaultProxy(upstream);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.#server.address() as AddressInfo;
    const proxied = connectionString.replace(endpoint, `http://127.0.0.1:${port}${upstream.pathname}`);
    return { proxy, connectionString: proxied };
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
