import { createHash } from 'node:crypto';
import { S3Error } from '@mpu/core';
import { hmacHex, signatureMismatch, signaturesEqual } from './sigv4.js';
import type { ChunkSigningContext } from './sigv4.js';

/**
 * Streaming decoder for `Content-Encoding: aws-chunked` bodies (S3-MULTIPART.md §8.3–§8.5):
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` (chunk signatures chained from the seed) and
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`. Chunk data is passed through as it arrives — only a
 * chunk header or trailer line is ever buffered (bounded) — and a chunk's signature is checked
 * before any byte of the next chunk is released, so a forged chunk fails the write before it
 * can become visible. Chunk sizes are not policed (the JS SDK emits tiny chunks).
 */

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** A chunk header is `hex;chunk-signature=<64 hex>` plus extensions; a trailer line a checksum. */
const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_LINES = 16;

export interface AwsChunkedOptions {
  /** Present for the signed variants: verify every chunk (and trailer) signature. */
  readonly signing?: ChunkSigningContext;
  /** Whether a trailer section follows the final chunk. */
  readonly trailer: boolean;
  /** Lower-case names from `x-amz-trailer`; no other trailer is accepted. */
  readonly announcedTrailers: readonly string[];
  /** `x-amz-decoded-content-length`, when sent: the exact payload size. */
  readonly decodedContentLength?: number;
}

function framing(reason: string): S3Error {
  return new S3Error('InvalidRequest', `Invalid aws-chunked body: ${reason}`);
}

function incomplete(reason: string): S3Error {
  return new S3Error('IncompleteBody', undefined, {}, { cause: new Error(reason) });
}

/** A bounded line reader over the byte stream: returns a line once its CRLF has arrived. */
class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;

  /** Consumes bytes from `buf` at `offset`; returns [line or undefined, new offset]. */
  take(buf: Buffer, offset: number): [string | undefined, number] {
    const lf = buf.indexOf(0x0a, offset);
    const end = lf === -1 ? buf.length : lf + 1;
    this.size += end - offset;
    if (this.size > MAX_LINE_BYTES) throw framing('line too long');
    this.parts.push(buf.subarray(offset, end));
    if (lf === -1) return [undefined, end];
    const line = Buffer.concat(this.parts).toString('latin1');
    this.parts = [];
    this.size = 0;
    if (!line.endsWith('\r\n')) throw framing('line not terminated by CRLF');
    return [line.slice(0, -2), end];
  }

  get empty(): boolean {
    return this.size === 0;
  }
}

type State = 'header' | 'data' | 'data-crlf' | 'final-crlf' | 'trailer' | 'done';

/** The decoder; `trailers` is filled once the body has been fully consumed. */
export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  private decodedBytes = 0;

  constructor(private readonly options: AwsChunkedOptions) {}

  /** Trailer value (e.g. `x-amz-checksum-crc32`) — meaningful only after the body ended. */
  trailer(name: string): string | undefined {
    return this.trailers.get(name);
  }

  async *decode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const { signing, trailer } = this.options;
    const line = new LineBuffer();
    let state = 'header' as State;
    let remaining = 0;
    let chunkSignature = '';
    let previousSignature = signing?.seedSignature ?? '';
    let chunkHash = signing === undefined ? undefined : createHash('sha256');
    let crlfSeen = 0;
    const trailerLines: string[] = [];

    const finishChunk = (): void => {
      if (signing === undefined || chunkHash === undefined) return;
      const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', signing.longDate, signing.scope, previousSignature, EMPTY_SHA256, chunkHash.digest('hex')].join('\n');
      const expected = hmacHex(signing.signingKey, stringToSign);
      if (!signaturesEqual(expected, chunkSignature)) throw signatureMismatch('', chunkSignature, stringToSign);
      previousSignature = expected;
      chunkHash = createHash('sha256');
    };

    const onHeader = (text: string): void => {
      const [sizeText = '', ...extensions] = text.split(';');
      if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw framing(`bad chunk size "${sizeText.slice(0, 32)}"`);
      remaining = Number.parseInt(sizeText, 16);
      if (signing !== undefined) {
        const sig = extensions.find((e) => e.startsWith('chunk-signature='));
        if (sig === undefined || !/^[0-9a-f]{64}$/i.test(sig.slice('chunk-signature='.length))) throw framing('missing chunk-signature');
        chunkSignature = sig.slice('chunk-signature='.length);
      }
      const limit = this.options.decodedContentLength;
      if (limit !== undefined && this.decodedBytes + remaining > limit) {
        throw incomplete('chunks exceed x-amz-decoded-content-length');
      }
      if (remaining === 0) {
        finishChunk();
        state = trailer ? 'trailer' : 'final-crlf';
      } else {
        state = 'data';
      }
    };

    const onTrailerLine = (text: string): void => {
      if (text === '') {
        this.finishTrailers(trailerLines, previousSignature);
        state = 'done';
        return;
      }
      if (trailerLines.length >= MAX_TRAILER_LINES) throw framing('too many trailer lines');
      trailerLines.push(text);
    };

    for await (const piece of source) {
      const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      let offset = 0;
      while (offset < buf.length) {
        switch (state) {
          case 'header': {
            const [text, next] = line.take(buf, offset);
            offset = next;
            if (text !== undefined) onHeader(text);
            break;
          }
          case 'data': {
            const take = Math.min(remaining, buf.length - offset);
            const slice = buf.subarray(offset, offset + take);
            offset += take;
            remaining -= take;
            this.decodedBytes += take;
            chunkHash?.update(slice);
            if (remaining === 0) state = 'data-crlf';
            yield slice;
            break;
          }
          case 'data-crlf':
          case 'final-crlf': {
            const expected = crlfSeen === 0 ? 0x0d : 0x0a;
            if (buf[offset] !== expected) throw framing('chunk data not followed by CRLF');
            offset++;
            crlfSeen++;
            if (crlfSeen === 2) {
              crlfSeen = 0;
              if (state === 'data-crlf') {
                finishChunk();
                state = 'header';
              } else {
                state = 'done';
              }
            }
            break;
          }
          case 'trailer': {
            const [text, next] = line.take(buf, offset);
            offset = next;
            if (text !== undefined) onTrailerLine(text);
            break;
          }
          case 'done':
            // Whitespace after the terminator is harmless; anything else is not a valid body.
            if (buf.subarray(offset).toString('latin1').trim() !== '') throw framing('data after the final chunk');
            offset = buf.length;
            break;
        }
      }
    }
    if (state === 'trailer' && line.empty) {
      // Some clients omit the final blank line after the last trailer: EOF ends the trailers.
      this.finishTrailers(trailerLines, previousSignature);
      state = 'done';
    }
    if (state === 'final-crlf' && crlfSeen === 0) state = 'done';
    if (state !== 'done') throw incomplete(`body ended in state ${state}`);
    const expectedLength = this.options.decodedContentLength;
    if (expectedLength !== undefined && this.decodedBytes !== expectedLength) {
      throw incomplete(`decoded ${this.decodedBytes} bytes, x-amz-decoded-content-length is ${expectedLength}`);
    }
  }

  private finishTrailers(lines: readonly string[], finalSignature: string): void {
    const { signing, announcedTrailers } = this.options;
    let provided: string | undefined;
    const signedText: string[] = [];
    for (const text of lines) {
      const colon = text.indexOf(':');
      if (colon <= 0) throw framing('malformed trailer line');
      const name = text.slice(0, colon).trim().toLowerCase();
      const value = text.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') {
        provided = value;
        continue;
      }
      if (!announcedTrailers.includes(name)) {
        throw new S3Error('InvalidRequest', `The trailer ${name} was not announced in x-amz-trailer`);
      }
      this.trailers.set(name, value);
      signedText.push(`${name}:${value}\n`);
    }
    for (const name of announcedTrailers) {
      if (!this.trailers.has(name)) throw incomplete(`announced trailer ${name} is missing`);
    }
    if (signing === undefined) return;
    if (provided === undefined) throw framing('missing x-amz-trailer-signature');
    const trailerHash = createHash('sha256').update(signedText.join(''), 'utf8').digest('hex');
    const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', signing.longDate, signing.scope, finalSignature, trailerHash].join('\n');
    const expected = hmacHex(signing.signingKey, stringToSign);
    if (!signaturesEqual(expected, provided)) throw signatureMismatch('', provided, stringToSign);
  }
}
