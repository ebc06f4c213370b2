import type { File } from '@google-cloud/storage';
import type { IncomingMessage } from 'node:http';

export interface DownloadStream {
  readonly stream: AsyncIterable<Buffer>;
  /** Resolves once response headers arrive, with the generation the bytes belong to. */
  readonly generation: () => string | undefined;
}

/**
 * Opens a media download and captures `X-Goog-Generation` from the response, so one request
 * yields both the bytes and the version they belong to. Whole-object reads are validated with
 * CRC32C by the client; range reads cannot be (the client refuses), see README.
 */
export function openDownload(file: File, range?: { readonly start: number; readonly end?: number | undefined }): DownloadStream {
  const stream = file.createReadStream(
    range ? { start: range.start, ...(range.end === undefined ? {} : { end: range.end }), validation: false } : { validation: 'crc32c' },
  );
  let generation: string | undefined;
  stream.on('response', (response: IncomingMessage) => {
    const header = response.headers['x-goog-generation'];
    generation = Array.isArray(header) ? header[0] : header;
  });
  return { stream: stream as AsyncIterable<Buffer>, generation: () => generation };
}

/** Downloads a small object whole: its bytes and generation. */
export async function downloadSmall(file: File): Promise<{ bytes: Buffer; generation: string }> {
  const download = openDownload(file);
  const chunks: Buffer[] = [];
  for await (const chunk of download.stream) chunks.push(chunk);
  const generation = download.generation() ?? (file.metadata.generation === undefined ? undefined : String(file.metadata.generation));
  if (generation === undefined) throw new Error(`GCS response for ${file.name} carried no X-Goog-Generation`);
  return { bytes: Buffer.concat(chunks), generation };
}
