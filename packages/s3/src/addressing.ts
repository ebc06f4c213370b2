import { S3Error } from '@mpu/core';

/**
 * Where a request points: bucket and key from path-style (`/bucket/key`) or virtual-host-style
 * (`bucket.<baseDomain>/key`) addressing. The path is percent-decoded exactly once and never
 * normalised — `//`, `.` and `..` are part of the key (S3-MULTIPART.md §0).
 */
export interface Address {
  readonly bucket?: string;
  readonly key?: string;
  /** True when the bucket came from the Host header. */
  readonly virtualHosted: boolean;
  /** The path as received (still percent-encoded), for the raw-path signature retry. */
  readonly rawPath: string;
  /** The decoded path (bucket included for path style), for canonical-URI encoding. */
  readonly decodedPath: string;
}

/** One query parameter as sent; `hasValue` distinguishes `?uploads` from `?uploads=`. */
export interface QueryParam {
  readonly name: string;
  readonly value: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalidUri(raw: string, cause?: unknown): S3Error {
  return new S3Error('InvalidArgument', 'Couldn\'t parse the specified URI.', { ArgumentName: 'uri', ArgumentValue: raw }, { cause });
}

/** Percent-decodes once (no `+` → space) and requires the bytes to be valid UTF-8. */
export function percentDecode(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalidUri(raw);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Non-ASCII characters sent unencoded: keep their UTF-8 bytes.
      const codePoint = raw.codePointAt(i) ?? c;
      for (const b of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) bytes.push(b);
      if (codePoint > 0xffff) i++;
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch (error) {
    throw invalidUri(raw, error);
  }
}

/** Splits a raw query string into decoded parameters, keeping order and duplicates. */
export function parseQuery(rawQuery: string): QueryParam[] {
  if (rawQuery === '') return [];
  const params: QueryParam[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? '' : piece.slice(eq + 1);
    params.push({ name: percentDecode(name), value: percentDecode(value) });
  }
  return params;
}

/** The bucket named by a Host header under `baseDomain`, if any (`b.localhost:9000` → `b`). */
export function bucketFromHost(host: string | undefined, baseDomain: string | undefined): string | undefined {
  if (host === undefined || baseDomain === undefined) return undefined;
  const hostname = host.startsWith('[') ? host : host.replace(/:\d+$/, '');
  const suffix = `.${baseDomain.toLowerCase()}`;
  const lower = hostname.toLowerCase();
  if (!lower.endsWith(suffix) || lower.length === suffix.length) return undefined;
  return hostname.slice(0, hostname.length - suffix.length);
}

export function parseAddress(rawPath: string, host: string | undefined, baseDomain: string | undefined): Address {
  if (!rawPath.startsWith('/')) throw invalidUri(rawPath);
  const decodedPath = percentDecode(rawPath);
  const hostBucket = bucketFromHost(host, baseDomain);
  if (hostBucket !== undefined) {
    const key = decodedPath.slice(1);
    return { bucket: hostBucket, key: key === '' ? undefined : key, virtualHosted: true, rawPath, decodedPath };
  }
  // Path style: the bucket is everything up to the first `/` after the leading one. The split
  // happens on the decoded path: a `%2F` inside a bucket name is not a valid bucket anyway.
  const rest = decodedPath.slice(1);
  if (rest === '') return { virtualHosted: false, rawPath, decodedPath };
  const slash = rest.indexOf('/');
  if (slash === -1) return { bucket: rest, virtualHosted: false, rawPath, decodedPath };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), key: key === '' ? undefined : key, virtualHosted: false, rawPath, decodedPath };
}
