import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '@mpu/core';
import type { QueryParam } from './addressing.js';
import type { SecretLookup } from './credentials.js';
import { utf8FromHeaderBytes } from './header-text.js';

/**
 * SigV4 verification (header and presigned forms), S3 flavour (S3-MULTIPART.md §8).
 *
 * The math is HMAC-SHA256 / SHA-256 from node:crypto. @smithy/signature-v4 reproduces every
 * vector, but it is a *signer*: `sign()` deletes a signed `date` header (AWS's TV5 PUT signs
 * one), injects `x-amz-date`, decides signability itself and normalises `.`/`..`/`//` in paths
 * unless `uriEscapePath` is off. A verifier must rebuild the canonical request from exactly
 * the headers the client named in SignedHeaders, as received, so it is built here; the §11
 * vectors (TV5–TV9) pin it to AWS's and botocore's own output.
 */

export const ALGORITHM_IDENTIFIER = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const MAX_PRESIGN_SECONDS = 604800;

/** How the body is protected, from x-amz-content-sha256 (or the presign parameter). */
export type PayloadMode =
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'sha256'; readonly hex: string }
  | { readonly kind: 'streaming-signed'; readonly trailer: boolean }
  | { readonly kind: 'streaming-unsigned-trailer' };

/** What the chunk-signature chain of a signed aws-chunked body needs. */
export interface ChunkSigningContext {
  readonly signingKey: Uint8Array;
  readonly longDate: string;
  readonly scope: string;
  readonly seedSignature: string;
}

export interface AuthResult {
  /** Undefined for anonymous requests (no Authorization header, no presign query). */
  readonly accessKeyId?: string;
  readonly presigned: boolean;
  readonly payload: PayloadMode;
  readonly chunkSigning?: ChunkSigningContext;
}

/** The parts of an HTTP request the signature covers. */
export interface SignedRequestView {
  readonly method: string;
  /** Path as received, percent-encoded. */
  readonly rawPath: string;
  /** Path decoded once. */
  readonly decodedPath: string;
  readonly query: readonly QueryParam[];
  /** Lower-case header name → every value received for it. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
}

export interface AuthOptions {
  readonly lookupSecret: SecretLookup;
  /** Accepted regions; undefined accepts any region named in the credential scope. */
  readonly regions?: readonly string[];
  readonly now: Date;
  readonly maxSkewMs: number;
}

/** `<yyyymmdd>/<region>/s3/aws4_request` */
export function createScope(date: string, region: string, service = 's3'): string {
  return `${date}/${region}/${service}/aws4_request`;
}

/** The SigV4 signing key: HMAC chain over date, region, service, "aws4_request". */
export function deriveSigningKey(secret: string, date: string, region: string, service = 's3'): Buffer {
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** S3 URI encoding: every byte except `A–Z a–z 0–9 - _ . ~` as `%XX`, `/` kept. */
export function s3UriEncode(text: string, keepSlash: boolean): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

export function header(view: SignedRequestView, name: string): string | undefined {
  return view.headers[name]?.[0];
}

function queryValue(query: readonly QueryParam[], name: string): string | undefined {
  return query.find((p) => p.name === name)?.value;
}

// ── errors ───────────────────────────────────────────────────────────────────────────────

function malformedHeader(message: string, region?: string): S3Error {
  return new S3Error('AuthorizationHeaderMalformed', message, region === undefined ? {} : { Region: region });
}

function queryError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message);
}

function bytesOf(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function signatureMismatch(accessKeyId: string, provided: string, stringToSign: string, canonicalRequest?: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: provided,
    StringToSignBytes: bytesOf(stringToSign),
    CanonicalRequest: canonicalRequest,
    CanonicalRequestBytes: canonicalRequest === undefined ? undefined : bytesOf(canonicalRequest),
  });
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

// ── parsing ──────────────────────────────────────────────────────────────────────────────

/** `yyyyMMddTHHmmssZ` → Date, or undefined. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

interface Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

function parseCredential(credential: string): Scope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

interface ParsedAuthorization {
  readonly scope: Scope;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const prefix = `${ALGORITHM_IDENTIFIER} `;
  if (!value.startsWith(prefix)) throw malformedHeader('The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  const fields = new Map<string, string>();
  for (const piece of value.slice(prefix.length).split(',')) {
    const trimmed = piece.trim();
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    fields.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformedHeader('The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const scope = parseCredential(credential);
  if (scope === undefined) {
    throw malformedHeader('The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  return { scope, signedHeaders: signedHeaders.split(';'), signature };
}

function checkScope(scope: Scope, longDate: string, options: AuthOptions, malformed: (m: string, r?: string) => S3Error): void {
  if (scope.date !== longDate.slice(0, 8)) {
    throw malformed(`The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date: "${scope.date}".`);
  }
  if (scope.service !== 's3') {
    throw malformed(`The authorization header is malformed; incorrect service "${scope.service}". This endpoint belongs to "s3".`);
  }
  if (scope.terminator !== 'aws4_request') {
    throw malformed(`The authorization header is malformed; incorrect terminal "${scope.terminator}". This endpoint uses "aws4_request".`);
  }
  if (options.regions !== undefined && !options.regions.includes(scope.region)) {
    throw malformed(`The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${options.regions[0] ?? ''}'`, options.regions[0]);
  }
}

/** x-amz-content-sha256 → payload mode; bad values are InvalidArgument, SigV4a 501. */
export function parsePayloadHash(value: string): PayloadMode {
  switch (value) {
    case UNSIGNED_PAYLOAD: return { kind: 'unsigned' };
    case STREAMING_SIGNED: return { kind: 'streaming-signed', trailer: false };
    case STREAMING_SIGNED_TRAILER: return { kind: 'streaming-signed', trailer: true };
    case STREAMING_UNSIGNED_TRAILER: return { kind: 'streaming-unsigned-trailer' };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new S3Error('NotImplemented', 'SigV4a (ECDSA) streaming payloads are not implemented', { Header: 'x-amz-content-sha256' });
    default:
      if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
      throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.', {
        ArgumentName: 'x-amz-content-sha256',
        ArgumentValue: value,
      });
  }
}

// ── canonicalisation ─────────────────────────────────────────────────────────────────────

/**
 * How a header value's non-ASCII bytes were signed. Node decodes header bytes as Latin-1, one
 * character per byte. Clients differ: the JS SDK sends `é` as the byte 0xE9 yet signs its UTF-8
 * form (reading the value as received reproduces that), while botocore sends the UTF-8 bytes and
 * signs the same bytes (reading them back as UTF-8 reproduces that). Both are tried, the second
 * only when a signed value holds non-ASCII bytes that form valid UTF-8.
 */
type HeaderReading = 'as-received' | 'utf8-bytes';

function canonicalHeaders(view: SignedRequestView, signedHeaders: readonly string[], reading: HeaderReading): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of signedHeaders) {
    const values = view.headers[name] ?? [];
    out[name] = values
      .map((v) => (reading === 'utf8-bytes' ? utf8FromHeaderBytes(v) : v).replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim())
      .join(',');
  }
  return out;
}

/** Whether some signed header holds bytes that read differently as UTF-8. */
function hasUtf8HeaderBytes(view: SignedRequestView, signedHeaders: readonly string[]): boolean {
  return signedHeaders.some((name) => (view.headers[name] ?? []).some((v) => utf8FromHeaderBytes(v) !== v));
}

/** Names and values re-encoded, sorted by name then value, `X-Amz-Signature` left out. */
export function canonicalQuery(query: readonly QueryParam[]): string {
  return query
    .filter((p) => p.name !== 'X-Amz-Signature')
    .map((p) => [s3UriEncode(p.name, false), s3UriEncode(p.value, false)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function canonicalRequestOf(method: string, path: string, query: readonly QueryParam[], headers: Record<string, string>, payloadHash: string): string {
  const names = Object.keys(headers).sort();
  return [
    method,
    path,
    canonicalQuery(query),
    ...names.map((name) => `${name}:${headers[name]}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
}

interface Verification {
  readonly view: SignedRequestView;
  readonly secret: string;
  readonly scope: Scope;
  readonly longDate: string;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  readonly provided: string;
  readonly query: readonly QueryParam[];
}

/** The expected signature for one candidate canonical URI and header reading. */
function expectedSignature(v: Verification, path: string, reading: HeaderReading): { signature: string; stringToSign: string; canonicalRequest: string } {
  const canonicalRequest = canonicalRequestOf(v.view.method, path, v.query, canonicalHeaders(v.view, v.signedHeaders, reading), v.payloadHash);
  const scope = createScope(v.scope.date, v.scope.region);
  const stringToSign = `${ALGORITHM_IDENTIFIER}\n${v.longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const key = deriveSigningKey(v.secret, v.scope.date, v.scope.region);
  return { signature: hmacHex(key, stringToSign), stringToSign, canonicalRequest };
}

/**
 * Verifies against the S3 canonical URI, then against the raw path as received; each with
 * header values as received and, where they hold UTF-8 bytes, read as UTF-8.
 */
async function verifySignature(v: Verification): Promise<void> {
  const encodedPath = s3UriEncode(v.view.decodedPath, true);
  const paths = v.view.rawPath === encodedPath ? [encodedPath] : [encodedPath, v.view.rawPath];
  const readings: HeaderReading[] = hasUtf8HeaderBytes(v.view, v.signedHeaders) ? ['as-received', 'utf8-bytes'] : ['as-received'];
  const first = expectedSignature(v, encodedPath, 'as-received');
  if (signaturesEqual(first.signature, v.provided)) return;
  for (const reading of readings) {
    for (const path of paths) {
      if (path === encodedPath && reading === 'as-received') continue;
      if (signaturesEqual(expectedSignature(v, path, reading).signature, v.provided)) return;
    }
  }
  throw signatureMismatch(v.scope.accessKeyId, v.provided, first.stringToSign, first.canonicalRequest);
}

function signingContext(scope: Scope, secret: string, longDate: string, seedSignature: string): ChunkSigningContext {
  return { signingKey: deriveSigningKey(secret, scope.date, scope.region), longDate, scope: createScope(scope.date, scope.region), seedSignature };
}

/** hex HMAC-SHA256 with a derived signing key (chunk and trailer signatures). */
export function hmacHex(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

async function secretFor(options: AuthOptions, accessKeyId: string): Promise<string> {
  const secret = await options.lookupSecret(accessKeyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  return secret;
}

function checkSkew(requestTime: Date, options: AuthOptions): void {
  if (Math.abs(options.now.getTime() - requestTime.getTime()) > options.maxSkewMs) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: formatAmzDate(requestTime),
      ServerTime: options.now.toISOString(),
      MaxAllowedSkewMilliseconds: options.maxSkewMs,
    });
  }
}

// ── entry points ─────────────────────────────────────────────────────────────────────────

/**
 * Authenticates a request (header or query form); throws the S3 error it deserves. A request
 * with neither is the anonymous principal: what it may do is the access check's to decide.
 */
export async function authenticate(view: SignedRequestView, options: AuthOptions): Promise<AuthResult> {
  const authorization = header(view, 'authorization');
  if (authorization !== undefined) return authenticateHeader(view, authorization, options);
  const algorithm = queryValue(view.query, 'X-Amz-Algorithm');
  if (algorithm !== undefined) return authenticatePresigned(view, algorithm, options);
  if (queryValue(view.query, 'AWSAccessKeyId') !== undefined) {
    throw new S3Error('NotImplemented', 'SigV2 query authentication is not supported; sign with SigV4 (boto3: Config(signature_version=\'s3v4\')).', { Header: 'AWSAccessKeyId' });
  }
  return { presigned: false, payload: { kind: 'unsigned' } };
}

async function authenticateHeader(view: SignedRequestView, authorization: string, options: AuthOptions): Promise<AuthResult> {
  if (authorization.startsWith('AWS4-ECDSA-P256-SHA256')) {
    throw new S3Error('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not implemented', { Header: 'Authorization' });
  }
  if (authorization.startsWith('AWS ')) {
    throw new S3Error('NotImplemented', 'SigV2 authentication is not supported; sign with SigV4.', { Header: 'Authorization' });
  }
  const parsed = parseAuthorizationHeader(authorization);
  const amzDate = header(view, 'x-amz-date');
  let requestTime: Date | undefined;
  let longDate: string;
  if (amzDate !== undefined) {
    requestTime = parseAmzDate(amzDate);
    longDate = amzDate;
  } else {
    const date = header(view, 'date');
    requestTime = date === undefined ? undefined : new Date(date);
    longDate = requestTime === undefined || Number.isNaN(requestTime.getTime()) ? '' : formatAmzDate(requestTime);
  }
  if (requestTime === undefined || Number.isNaN(requestTime.getTime())) {
    throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  checkScope(parsed.scope, longDate, options, malformedHeader);
  if (!parsed.signedHeaders.includes('host')) {
    throw malformedHeader('The authorization header is malformed; SignedHeaders must include host.');
  }
  const secret = await secretFor(options, parsed.scope.accessKeyId);
  checkSkew(requestTime, options);
  const payloadHash = header(view, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const payload = parsePayloadHash(payloadHash);
  await verifySignature({
    view, secret, scope: parsed.scope, longDate, signedHeaders: parsed.signedHeaders,
    payloadHash, provided: parsed.signature, query: view.query,
  });
  const result: AuthResult = { accessKeyId: parsed.scope.accessKeyId, presigned: false, payload };
  if (payload.kind !== 'streaming-signed') return result;
  return { ...result, chunkSigning: signingContext(parsed.scope, secret, longDate, parsed.signature.toLowerCase()) };
}

async function authenticatePresigned(view: SignedRequestView, algorithm: string, options: AuthOptions): Promise<AuthResult> {
  if (algorithm === 'AWS4-ECDSA-P256-SHA256') {
    throw new S3Error('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not implemented', { Header: 'X-Amz-Algorithm' });
  }
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const credential = queryValue(view.query, 'X-Amz-Credential');
  const longDate = queryValue(view.query, 'X-Amz-Date');
  const expires = queryValue(view.query, 'X-Amz-Expires');
  const signedHeaders = queryValue(view.query, 'X-Amz-SignedHeaders');
  const signature = queryValue(view.query, 'X-Amz-Signature');
  if (credential === undefined || longDate === undefined || expires === undefined || signedHeaders === undefined || signature === undefined) {
    throw queryError('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const scope = parseCredential(credential);
  if (scope === undefined) {
    throw queryError('Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const requestTime = parseAmzDate(longDate);
  if (requestTime === undefined) throw queryError('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  if (!/^\d+$/.test(expires)) throw queryError('X-Amz-Expires should be a number');
  const expiresSeconds = Number(expires);
  if (expiresSeconds > MAX_PRESIGN_SECONDS) {
    throw queryError('X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
  }
  if (expiresSeconds < 1) throw queryError('X-Amz-Expires must be non-negative');
  checkScope(scope, longDate, options, (m) => queryError(m.replace('The authorization header is malformed; ', 'Error parsing the X-Amz-Credential parameter; ')));
  const signed = signedHeaders.split(';');
  const secret = await secretFor(options, scope.accessKeyId);
  if (requestTime.getTime() - options.now.getTime() > options.maxSkewMs) checkSkew(requestTime, options);
  const expiry = new Date(requestTime.getTime() + expiresSeconds * 1000);
  if (options.now.getTime() > expiry.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: expiry.toISOString(),
      ServerTime: options.now.toISOString(),
    });
  }
  const unsigned = Object.keys(view.headers).filter((name) => name.startsWith('x-amz-') && !signed.includes(name));
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }
  const payloadHash = queryValue(view.query, 'X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  const payload = parsePayloadHash(payloadHash);
  if (payload.kind === 'streaming-signed') throw queryError('Presigned requests cannot use a streaming signed payload');
  await verifySignature({
    view, secret, scope, longDate, signedHeaders: signed, payloadHash, provided: signature, query: view.query,
  });
  return { accessKeyId: scope.accessKeyId, presigned: true, payload };
}
