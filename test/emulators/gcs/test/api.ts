import type { GcsTestServer } from '../src/index.js';

/** A JSON body as the tests probe it: loosely, field by field, like a reader of the docs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON probed in assertions
export type JsonBody = Record<string, any>;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body ({} when empty or not JSON). */
  readonly json: JsonBody;
}

/** A raw JSON-API call, for what the client library never sends (the rejection cases). */
export async function api(
  server: GcsTestServer,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Uint8Array | ReadableStream<Uint8Array> } = {},
): Promise<ApiResponse> {
  const response = await fetch(server.url + path, {
    method,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body as RequestInit['body'] }),
    ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  let json: JsonBody = {};
  try {
    json = text ? (JSON.parse(text) as JsonBody) : {};
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The `reason` of a JSON-API error body. */
export function reasonOf(response: ApiResponse): string | undefined {
  return response.json.error?.errors?.[0]?.reason;
}

/** A multipart/related upload body as the JSON API documents it (metadata part, media part). */
export function multipartBody(boundary: string, metadata: unknown, media: Uint8Array | string, mediaType = 'application/octet-stream'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Type: ${mediaType}\r\n\r\n`),
    Buffer.from(media),
    Buffer.from(`\r\n--${boundary}--`),
  ]);
}

/** A request body stream that delivers `bytes` in pieces of `size` (to split delimiters). */
export function trickle(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}
