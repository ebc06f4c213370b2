import { parseQuery, percentDecode } from '../src/addressing.js';
import type { SignedRequestView } from '../src/sigv4.js';

export const TV_ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const TV_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const TV_DATE = '20130524T000000Z';
export const TV_NOW = new Date(Date.UTC(2013, 4, 24, 0, 0, 0));
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A request view from a raw URL (`/path?query`) and headers, as the handler builds it. */
export function viewOf(method: string, url: string, headers: Record<string, string>): SignedRequestView {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const lower: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = [value];
  return { method, rawPath, decodedPath: percentDecode(rawPath), query: parseQuery(rawQuery), headers: lower };
}

export function authorization(signedHeaders: string, signature: string, region = 'us-east-1', date = '20130524'): string {
  return `AWS4-HMAC-SHA256 Credential=${TV_ACCESS_KEY}/${date}/${region}/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
}
