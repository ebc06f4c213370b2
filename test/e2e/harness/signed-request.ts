import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { E2E_CREDENTIALS } from './mpu-server.js';

/**
 * A small, independent SigV4 client (node:crypto only, no code shared with @mpu/s3) for the
 * requests no SDK will send: wrong keys, skewed clocks, corrupt digests, bad XML.
 */

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface RawRequest {
  readonly method: string;
  /** Path and query exactly as they go on the wire (keys here are plain ASCII). */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** x-amz-content-sha256 to send and sign (default: the body's real hash). */
  readonly payloadHash?: string;
  readonly date?: Date;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** No Authorization, no x-amz-* auth headers. */
  readonly anonymous?: boolean;
  /** Send headers only and wait for the answer (for 100-continue rejections). */
  readonly headersOnly?: boolean;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1));
    return [uriEncode(name), uriEncode(value)] as const;
  }).sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0)).map(([n, v]) => `${n}=${v}`).join('&');
}

export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function signedHeaders(init: RawRequest, host: string, body: Buffer): Record<string, string> {
  const headers: Record<string, string> = { host };
  for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
  if (init.anonymous) return headers;
  const date = amzDate(init.date ?? new Date());
  const payloadHash = init.payloadHash ?? sha256Hex(body);
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = payloadHash;
  const names = Object.keys(headers).filter((n) => n !== 'content-length' && n !== 'expect').sort();
  const q = init.path.indexOf('?');
  const canonical = [
    init.method,
    q === -1 ? init.path : init.path.slice(0, q),
    canonicalQuery(q === -1 ? '' : init.path.slice(q + 1)),
    names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonical)}`;
  const secret = init.secretAccessKey ?? E2E_CREDENTIALS.secretAccessKey;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${init.accessKeyId ?? E2E_CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/** Sends one signed request over node:http and returns the whole answer. */
export function sendSigned(endpoint: string, init: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body);
  const headers = signedHeaders(init, url.host, body);
  if (headers['content-length'] === undefined && (init.body !== undefined || init.method === 'PUT' || init.method === 'POST')) {
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: init.method, path: init.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        if (init.headersOnly) req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', (error) => (init.headersOnly && /socket hang up|ECONNRESET/.test(error.message) ? undefined : reject(error)));
    if (init.headersOnly) req.flushHeaders();
    else req.end(body);
  });
}

/** A SigV4 presigned path (`host` signed, UNSIGNED-PAYLOAD), as SDK presigners build it. */
export function presignedPath(endpoint: string, method: string, path: string, expiresSeconds: number, date: Date): string {
  const host = new URL(endpoint).host;
  const stamp = amzDate(date);
  const scope = `${stamp.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const query = [
    `X-Amz-Algorithm=AWS4-HMAC-SHA256`,
    `X-Amz-Credential=${uriEncode(`${E2E_CREDENTIALS.accessKeyId}/${scope}`)}`,
    `X-Amz-Date=${stamp}`,
    `X-Amz-Expires=${expiresSeconds}`,
    `X-Amz-SignedHeaders=host`,
  ].join('&');
  const canonical = [method, path, canonicalQuery(query), `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256Hex(canonical)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${E2E_CREDENTIALS.secretAccessKey}`, stamp.slice(0, 8)), 'us-east-1'), 's3'), 'aws4_request');
  return `${path}?${query}&X-Amz-Signature=${createHmac('sha256', key).update(stringToSign).digest('hex')}`;
}

/** Sends an unsigned request (the query carries the signature). */
export function sendPresigned(endpoint: string, method: string, pathAndQuery: string): Promise<RawResponse> {
  return sendSigned(endpoint, { method, path: pathAndQuery, anonymous: true });
}
