import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { parseQuery, percentDecode } from '../src/addressing.js';
import { canonicalRequestOf, createScope, deriveSigningKey, formatAmzDate, hmacHex, s3UriEncode, sha256Hex } from '../src/sigv4.js';

/** A minimal SigV4 client over node:http for requests the SDK cannot produce (bad on purpose). */

export const ACCESS_KEY = 'AKIDMPUTEST';
export const SECRET_KEY = 'mpu-test-secret';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

export interface SignedRequestInit {
  readonly method: string;
  /** Path with query, already percent-encoded as it goes on the wire. */
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Override x-amz-content-sha256 (default: hex sha256 of the body). */
  readonly payloadHash?: string;
  readonly date?: Date;
  readonly secret?: string;
  readonly accessKey?: string;
  readonly region?: string;
  /** Skip signing entirely. */
  readonly anonymous?: boolean;
  /** Host header to send (virtual-host tests). */
  readonly host?: string;
  /** Headers to leave out of SignedHeaders. */
  readonly unsigned?: readonly string[];
}

export function signHeaders(init: SignedRequestInit, host: string): Record<string, string> {
  const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body);
  const date = init.date ?? new Date();
  const amzDate = formatAmzDate(date);
  const payloadHash = init.payloadHash ?? createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payloadHash,
    ...Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (init.anonymous) {
    delete headers['x-amz-date'];
    delete headers['x-amz-content-sha256'];
    return headers;
  }
  const q = init.url.indexOf('?');
  const rawPath = q === -1 ? init.url : init.url.slice(0, q);
  const query = parseQuery(q === -1 ? '' : init.url.slice(q + 1));
  const signedNames = Object.keys(headers).filter((h) => !(init.unsigned ?? []).includes(h) && h !== 'content-length').sort();
  const canonical = canonicalRequestOf(init.method, s3UriEncode(percentDecode(rawPath), true), query,
    Object.fromEntries(signedNames.map((h) => [h, headers[h]!.trim()])), payloadHash);
  const region = init.region ?? 'us-east-1';
  const scope = createScope(amzDate.slice(0, 8), region);
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = hmacHex(deriveSigningKey(init.secret ?? SECRET_KEY, amzDate.slice(0, 8), region), stringToSign);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${init.accessKey ?? ACCESS_KEY}/${scope}, SignedHeaders=${signedNames.join(';')}, Signature=${signature}`;
  return headers;
}

export function send(endpoint: string, init: SignedRequestInit): Promise<RawResponse> {
  const url = new URL(endpoint);
  const host = init.host ?? url.host;
  const headers = signHeaders(init, host);
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  if (body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: init.method, path: init.url, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const all = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `<Code>` of an error document. */
export function errorCode(text: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}

/** A SigV4 presigned URL path+query (host signed only), as SDK presigners build it. */
export function presignPath(method: string, path: string, host: string, expiresSeconds: number, date: Date, secret = SECRET_KEY): string {
  const amzDate = formatAmzDate(date);
  const scope = createScope(amzDate.slice(0, 8), 'us-east-1');
  const params = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${ACCESS_KEY}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ] as const;
  const query = params.map(([name, value]) => `${name}=${s3UriEncode(value, false)}`).join('&');
  const canonical = canonicalRequestOf(method, s3UriEncode(percentDecode(path), true), parseQuery(query), { host }, 'UNSIGNED-PAYLOAD');
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = hmacHex(deriveSigningKey(secret, amzDate.slice(0, 8), 'us-east-1'), stringToSign);
  return `${path}?${query}&X-Amz-Signature=${signature}`;
}
