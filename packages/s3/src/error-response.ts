import type { ServerResponse } from 'node:http';
import { toWireError } from '@mpu/core';
import type { WireError } from '@mpu/core';
import { errorDocument } from './xml.js';
import type { XmlChild } from './xml.js';

/**
 * The S3 `<Error>` body: Code, Message, code-specific details, optional Resource, then
 * RequestId and HostId. HEAD responses carry the status only (clients map it by status).
 */
export function errorXml(error: WireError, requestId: string, hostId: string, resource?: string): string {
  const children: XmlChild[] = [['Code', error.code], ['Message', error.message]];
  for (const [name, value] of Object.entries(error.details)) {
    if (value !== undefined) children.push([name, value]);
  }
  if (resource !== undefined) children.push(['Resource', resource]);
  children.push(['RequestId', requestId], ['HostId', hostId]);
  return errorDocument(children);
}

export interface ErrorSendContext {
  readonly requestId: string;
  readonly hostId: string;
  readonly method: string;
  readonly resource?: string;
}

/** Writes `error` to `res` (when headers are not yet sent) and returns its wire form. */
export function sendError(res: ServerResponse, error: unknown, ctx: ErrorSendContext): WireError {
  const wire = toWireError(error);
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees a truncated body, not a
    // silently short one.
    res.destroy(error instanceof Error ? error : undefined);
    return wire;
  }
  for (const name of res.getHeaderNames()) {
    // CORS headers stay: a page reads an error only when they are present.
    const kept = name.startsWith('access-control-') || name === 'vary';
    if (!kept && !name.startsWith('x-amz-request-id') && !name.startsWith('x-amz-id-2') && name !== 'server' && name !== 'date' && name !== 'connection') {
      res.removeHeader(name);
    }
  }
  // Delete-marker errors carry headers (x-amz-delete-marker, x-amz-version-id): see s3-errors.ts.
  const extra = (error as { responseHeaders?: Readonly<Record<string, string>> } | null)?.responseHeaders;
  for (const [name, value] of Object.entries(extra ?? {})) res.setHeader(name, value);
  const body = Buffer.from(errorXml(wire, ctx.requestId, ctx.hostId, ctx.resource), 'utf8');
  res.statusCode = wire.status;
  res.setHeader('Content-Type', 'application/xml');
  if (ctx.method === 'HEAD') {
    res.end();
  } else {
    res.setHeader('Content-Length', body.length);
    res.end(body);
  }
  return wire;
}
