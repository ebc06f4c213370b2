import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GcsHttpError } from './gcs-error.js';
import { badRequest } from './gcs-error.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: GcsHttpError): void {
  if (error.status === 304) {
    res.writeHead(304, error.extraHeaders);
    res.end();
    return;
  }
  sendJson(res, error.status, error.toJSON(), { ...error.extraHeaders });
}

/** Reads a small body whole (JSON requests); larger than `limit` is a 400, never buffered. */
export async function readSmallBody(req: AsyncIterable<Buffer>, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw badRequest(`Request body exceeds ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; malformed JSON is GCS's 400 `parseError`. */
export function parseJsonObject(body: Buffer, allowEmpty = true): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '' && allowEmpty) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Parse Error', 'parseError');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('Parse Error', 'parseError');
  return value as Record<string, unknown>;
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  return parseJsonObject(await readSmallBody(req));
}

/**
 * Splits the raw path first and decodes each segment after, because the client sends object
 * names `encodeURIComponent`-ed ("a%2Fb" is one segment naming "a/b").
 */
export function decodedSegments(rawPath: string): string[] {
  return rawPath.split('/').slice(1).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw badRequest('The request path is not valid percent-encoded UTF-8.');
    }
  });
}

/** Optional string metadata map as GCS accepts it: string values only (null deletes in PATCH). */
export function metadataFrom(value: unknown, allowNull: boolean): Record<string, string | null> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('Invalid value for metadata: expected an object.');
  const result: Record<string, string | null> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry === null && allowNull) result[key] = null;
    else if (typeof entry === 'string') result[key] = entry;
    else if (typeof entry === 'number' || typeof entry === 'boolean') result[key] = String(entry);
    else throw badRequest(`Invalid value for metadata.${key}.`);
  }
  return result;
}

export function contentTypeFrom(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest('Invalid value for contentType.');
  return value;
}
