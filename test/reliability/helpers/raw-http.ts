import { connect } from 'node:net';

/**
 * HTTP/1.1 over a bare socket, for requests no client library will send: bodies shorter or
 * longer than Content-Length, connections closed mid-body, stalled headers.
 */

export interface RawReply {
  /** 0 when the server closed the connection without a response. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything the server sent, for pipelined-response checks. */
  readonly raw: string;
}

export interface RawOptions {
  /** Half-close after writing (the client sends FIN: "I will send nothing more"). */
  readonly endAfterWrite?: boolean;
  /** Give up waiting after this long (ms); the reply is what arrived so far. */
  readonly timeoutMs?: number;
  /** Write the request in pieces with these pauses between them (ms). */
  readonly pieces?: readonly { readonly data: Buffer | string; readonly pauseMs?: number }[];
}

export function head(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

function parse(raw: string): RawReply {
  const end = raw.indexOf('\r\n\r\n');
  if (!raw.startsWith('HTTP/1.1 ') || end === -1) return { status: 0, headers: {}, body: '', raw };
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const rest = raw.slice(end + 4);
  return { status: Number(statusLine!.split(' ')[1]), headers, body: length === undefined ? rest : rest.slice(0, length), raw };
}

/** Sends `request` (or `options.pieces`) and collects whatever comes back until the server closes. */
export function exchange(port: number, request: Buffer | string | undefined, options: RawOptions = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(Buffer.concat(received).toString('latin1')));
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', async () => {
      if (request !== undefined) socket.write(request);
      for (const piece of options.pieces ?? []) {
        if (socket.destroyed) break;
        socket.write(piece.data);
        if (piece.pauseMs) await new Promise((r) => setTimeout(r, piece.pauseMs));
      }
      if (options.endAfterWrite && !socket.destroyed) socket.end();
    });
  });
}

/** The `<Code>` of an S3 error body. */
export function codeOf(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
