import type { ServerResponse } from 'node:http';

/** Helpers for writing S3 responses: dates, quoted ETags, XML bodies. */

/** IMF-fixdate (`Sat, 31 Jan 2026 00:00:00 GMT`) for headers: Last-Modified, x-amz-abort-date. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** ISO-8601 UTC with milliseconds for XML elements (LastModified, Initiated). */
export function xmlDate(date: Date): string {
  return date.toISOString();
}

/** ETags are quoted on the wire; the engine already quotes them, this only guards. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

export function sendXml(res: ServerResponse, status: number, xml: string, head = false): void {
  const body = Buffer.from(xml, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', body.length);
  res.end(head ? undefined : body);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', 0);
  res.end();
}
