import type { File } from '@google-cloud/storage';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export interface DownloadStream {
  readonly stream: AsyncIterable<Buffer>;
  /** The generation the bytes belong to (`X-Goog-Generation`), once the response arrived. */
  readonly generation: () => string | undefined;
  /** The response's Content-Length, once the response arrived. */
  readonly contentLength: () => number | undefined;
}

/** Raised when a download delivers no byte for too long (see `guardStalls`). */
export class DownloadStalledError extends Error {
  override readonly name = 'DownloadStalledError';
  /** Classified like a dropped connection, so it is retried. */
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly objectName: string,
    readonly stallMs: number,
  ) {
    super(`download of ${objectName} delivered nothing for ${stallMs} ms`);
  }
}

/** Before the response arrives the client may be waiting out its own retry backoff. */
const FIRST_BYTE_ALLOWANCE_MS = 60_000;

/**
 * `@google-cloud/storage` 7.x (teeny-request over node-fetch 2) never ends or errors a media
 * download whose connection is cut mid-body: the stream just stops. So every download is
 * watched: once its response has arrived, a wait of `stallMs` without a byte destroys it with
 * a retryable error (before that, the client's own retries get a generous allowance).
 */
async function* guardStalls(stream: Readable, name: string, stallMs: number, respondedAt: () => number | undefined): AsyncIterable<Buffer> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const poll = Math.max(10, Math.min(stallMs, 250));
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const waitStart = Date.now();
      const stalled = new Promise<never>((_, reject) => {
        const check = (): void => {
          const responded = respondedAt();
          const quiet = responded === undefined ? Date.now() - waitStart : Date.now() - Math.max(responded, waitStart);
          if (quiet >= (responded === undefined ? Math.max(stallMs, FIRST_BYTE_ALLOWANCE_MS) : stallMs)) {
            reject(new DownloadStalledError(name, stallMs));
          } else {
            timer = setTimeout(check, poll);
          }
        };
        timer = setTimeout(check, poll);
      });
      try {
        const next = await Promise.race([iterator.next(), stalled]);
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Opens a media download and captures `X-Goog-Generation` from the response, so one request
 * yields both the bytes and the version they belong to. Whole-object reads are validated with
 * CRC32C by the client; range reads cannot be (the client refuses), see README.
 */
export function openDownload(
  file: File,
  stallMs: number,
  range?: { readonly start: number; readonly end?: number | undefined },
): DownloadStream {
  const stream = file.createReadStream(
    range ? { start: range.start, ...(range.end === undefined ? {} : { end: range.end }), validation: false } : { validation: 'crc32c' },
  );
  let generation: string | undefined;
  let contentLength: number | undefined;
  stream.on('response', (response: IncomingMessage) => {
    const header = response.headers['x-goog-generation'];
    generation = Array.isArray(header) ? header[0] : header;
    const length = response.headers['content-length'];
    contentLength = length === undefined ? undefined : Number(length);
  });
  let respondedAt: number | undefined;
  stream.on('response', () => {
    respondedAt = Date.now();
  });
  return { stream: guardStalls(stream, file.name, stallMs, () => respondedAt), generation: () => generation, contentLength: () => contentLength };
}

/** Downloads a small object whole: its bytes and generation. */
export async function downloadSmall(file: File, stallMs: number): Promise<{ bytes: Buffer; generation: string }> {
  const download = openDownload(file, stallMs);
  const chunks: Buffer[] = [];
  for await (const chunk of download.stream) chunks.push(chunk);
  const generation = download.generation() ?? (file.metadata.generation === undefined ? undefined : String(file.metadata.generation));
  if (generation === undefined) throw new Error(`GCS response for ${file.name} carried no X-Goog-Generation`);
  return { bytes: Buffer.concat(chunks), generation };
}
