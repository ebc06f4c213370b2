import { badRequest } from './gcs-error.js';

/**
 * A pull reader over a request body that finds delimiters across chunk boundaries while
 * holding back at most one delimiter's length of unconsumed bytes.
 */
class ByteScanner {
  #pending: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    this.#pending = this.#pending.length === 0 ? next.value : Buffer.concat([this.#pending, next.value]);
    return true;
  }

  /** Bytes up to `delimiter` (consumed, not returned); at most `limit` bytes may precede it. */
  async readUntil(delimiter: Buffer, limit: number, what: string): Promise<Buffer> {
    for (;;) {
      const index = this.#pending.indexOf(delimiter);
      if (index >= 0) {
        const before = this.#pending.subarray(0, index);
        this.#pending = this.#pending.subarray(index + delimiter.length);
        return before;
      }
      if (this.#pending.length > limit + delimiter.length) throw badRequest(`Multipart ${what} is too large.`);
      if (!(await this.#pull())) throw badRequest(`Multipart body ended inside the ${what}.`);
    }
  }

  /** Streams bytes up to `delimiter` into `sink`, holding back only a possible partial delimiter. */
  async streamUntil(delimiter: Buffer, sink: (chunk: Buffer) => void): Promise<void> {
    for (;;) {
      const index = this.#pending.indexOf(delimiter);
      if (index >= 0) {
        if (index > 0) sink(this.#pending.subarray(0, index));
        this.#pending = this.#pending.subarray(index + delimiter.length);
        return;
      }
      const keep = delimiter.length - 1;
      if (this.#pending.length > keep) {
        sink(this.#pending.subarray(0, this.#pending.length - keep));
        this.#pending = Buffer.from(this.#pending.subarray(this.#pending.length - keep));
      }
      if (!(await this.#pull())) throw badRequest('Multipart body ended before the closing boundary.');
    }
  }

  /** Reads exactly `count` bytes (or fewer at the end of the body). */
  async read(count: number): Promise<Buffer> {
    while (this.#pending.length < count && (await this.#pull()));
    const out = this.#pending.subarray(0, count);
    this.#pending = this.#pending.subarray(out.length);
    return out;
  }

  /** Consumes the rest (the epilogue), refusing more than `limit` bytes. */
  async drain(limit: number): Promise<void> {
    while (await this.#pull()) {
      if (this.#pending.length > limit) throw badRequest('Unexpected data after the multipart closing boundary.');
    }
  }
}

export function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/related\s*;(.*)$/i.exec(contentType ?? '');
  const boundary = match && /(?:^|;)\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(match[1]!);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) throw badRequest('uploadType=multipart requires Content-Type: multipart/related with a boundary.');
  return value;
}

function headersOf(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.toString('latin1').split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw badRequest('Malformed multipart part header.');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

export interface MultipartRelated {
  /** The first part, the object metadata JSON, as raw bytes. */
  readonly metadata: Buffer;
  /** The second part's Content-Type (the media's), if given. */
  readonly mediaContentType: string | undefined;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_METADATA_BYTES = 1024 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parses a `multipart/related` upload body (RFC 2387) exactly as the JSON API expects it: two
 * parts, metadata first and media second. The media part is streamed into `onMedia` as it
 * arrives; only the metadata part and a delimiter-sized tail are ever held.
 */
export async function parseMultipartRelated(
  body: AsyncIterable<Buffer>,
  boundary: string,
  onMedia: (chunk: Buffer) => void,
): Promise<MultipartRelated> {
  const scanner = new ByteScanner(body[Symbol.asyncIterator]());
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter comes without the leading CRLF the later ones carry (RFC 2046 §5.1.1).
  const opening = await scanner.read(2 + boundary.length);
  if (opening.toString('latin1') !== `--${boundary}`) throw badRequest('Multipart body must start with the boundary delimiter.');
  // Transport padding (linear whitespace) may follow a delimiter before its CRLF.
  await scanner.readUntil(CRLF, 64, 'delimiter line');
  const metadataHeaders = headersOf(await scanner.readUntil(HEADER_END, MAX_HEADER_BYTES, 'part headers'));
  const metadataType = metadataHeaders.get('content-type') ?? '';
  if (!/^application\/json/i.test(metadataType)) throw badRequest('The first multipart part must be application/json metadata.');
  const metadata = await scanner.readUntil(delimiter, MAX_METADATA_BYTES, 'metadata part');
  const afterFirst = await scanner.readUntil(CRLF, 64, 'delimiter line');
  if (afterFirst.toString('latin1').trim() !== '') throw badRequest('Multipart upload needs a media part after the metadata.');
  const mediaHeaders = headersOf(await scanner.readUntil(HEADER_END, MAX_HEADER_BYTES, 'part headers'));
  await scanner.streamUntil(delimiter, onMedia);
  const closing = await scanner.read(2);
  if (closing.toString('latin1') !== '--') throw badRequest('Multipart upload must have exactly two parts.');
  await scanner.drain(1024);
  return { metadata, mediaContentType: mediaHeaders.get('content-type') };
}
