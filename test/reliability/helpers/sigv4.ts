import { createHash, createHmac } from 'node:crypto';

/**
 * A small SigV4 signer written from the AWS specification, independent of @mpu/s3's own
 * code, so hostile-request tests can sign exactly what they want to lie about (region,
 * service, date, chunk signatures) without the server's code signing for them.
 */

export interface Credentials {
  readonly accessKey: string;
  readonly secret: string;
}

export interface SignInput {
  readonly method: string;
  /** Path as sent on the wire (percent-encoded), without query. */
  readonly path: string;
  /** Query parameters, decoded. */
  readonly query?: readonly (readonly [string, string])[];
  /** Headers to sign (lower-case names); host is added. */
  readonly headers?: Record<string, string>;
  readonly host: string;
  readonly payloadHash: string;
  readonly date?: Date;
  readonly region?: string;
  readonly service?: string;
  readonly credentials: Credentials;
}

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XX (upper hex). */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === '/')) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function queryString(query: readonly (readonly [string, string])[]): string {
  return query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
}

interface Signed {
  readonly headers: Record<string, string>;
  readonly signature: string;
  readonly scope: string;
  readonly amzDate: string;
  readonly key: Buffer;
}

function canonicalAndSign(input: SignInput, headers: Record<string, string>, query: readonly (readonly [string, string])[], payloadHash: string) {
  const date = input.date ?? new Date();
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const region = input.region ?? 'us-east-1';
  const service = input.service ?? 's3';
  const scope = `${day}/${region}/${service}/aws4_request`;
  const names = Object.keys(headers).map((name) => name.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const canonical = [
    input.method,
    input.path,
    queryString(query),
    names.map((name) => `${name}:${String(lower[name]).trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256Hex(canonical)}`;
  const key = signingKey(input.credentials.secret, day, region, service);
  return { signature: hmac(key, stringToSign).toString('hex'), scope, stamp, names, key };
}

/** Header-signed request: returns the headers to send (host, x-amz-date, x-amz-content-sha256, authorization, …). */
export function signHeaders(input: SignInput): Signed {
  const date = input.date ?? new Date();
  const headers: Record<string, string> = {
    host: input.host,
    'x-amz-date': amzDate(date),
    'x-amz-content-sha256': input.payloadHash,
    ...(input.headers ?? {}),
  };
  const { signature, scope, stamp, names, key } = canonicalAndSign({ ...input, date }, headers, input.query ?? [], input.payloadHash);
  return {
    headers: {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    },
    signature,
    scope,
    amzDate: stamp,
    key,
  };
}

/** Presigned URL path+query (host signed only, UNSIGNED-PAYLOAD). */
export function presign(input: Omit<SignInput, 'payloadHash' | 'headers'> & { readonly expiresSeconds: number }): string {
  const date = input.date ?? new Date();
  const region = input.region ?? 'us-east-1';
  const service = input.service ?? 's3';
  const scope = `${amzDate(date).slice(0, 8)}/${region}/${service}/aws4_request`;
  const query: (readonly [string, string])[] = [
    ...(input.query ?? []),
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.credentials.accessKey}/${scope}`],
    ['X-Amz-Date', amzDate(date)],
    ['X-Amz-Expires', String(input.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const { signature } = canonicalAndSign({ ...input, date, payloadHash: 'UNSIGNED-PAYLOAD' }, { host: input.host }, query, 'UNSIGNED-PAYLOAD');
  return `${input.path}?${queryString([...query, ['X-Amz-Signature', signature]])}`;
}

/** The signature of one aws-chunked chunk, chained from the previous one (seed: the header signature). */
export function chunkSignature(signed: Signed, previous: string, chunk: Uint8Array): string {
  const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', signed.amzDate, signed.scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join('\n');
  return hmac(signed.key, stringToSign).toString('hex');
}

/** Signed aws-chunked framing of `chunks` (each chunk signed, then the final 0-byte chunk). */
export function signedChunkedBody(signed: Signed, chunks: readonly Uint8Array[], tamper?: (index: number, signature: string) => string): Buffer {
  const out: Buffer[] = [];
  let previous = signed.signature;
  [...chunks, new Uint8Array(0)].forEach((chunk, index) => {
    const signature = chunkSignature(signed, previous, chunk);
    previous = signature;
    const sent = tamper ? tamper(index, signature) : signature;
    out.push(Buffer.from(`${chunk.byteLength.toString(16)};chunk-signature=${sent}\r\n`), Buffer.from(chunk), Buffer.from('\r\n'));
  });
  return Buffer.concat(out);
}
