import { createHash } from 'node:crypto';
import { MAX_OBJECT_NAME_BYTES, RecordKeyNotStorableError, escapeKey, unescapeKey } from './object-names.js';

/**
 * Longest record key, in UTF-8 bytes. A long key travels base64-encoded in custom metadata,
 * which GCS caps at 8 KiB per object (https://cloud.google.com/storage/quotas#objects).
 */
export const MAX_RECORD_KEY_BYTES = 2048;
/**
 * Separates a long key's head from its hash: U+10FFFF (UTF-8 F4 8F BF BF). It must sort after
 * the first byte of any character shorter than 4 bytes, see `RecordNames`.
 */
const LONG_MARK = '\u{10ffff}';
export const HASH_HEX_CHARS = 32;
/** Custom metadata field holding a long key (base64 of its UTF-8). */
export const LONG_KEY_FIELD = 'mpu-key';

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Largest character boundary ≤ `limit` in UTF-8 `bytes`. */
function boundaryAtOrBefore(bytes: Uint8Array, limit: number): number {
  let cut = Math.min(limit, bytes.length);
  while (cut > 0 && cut < bytes.length && isContinuation(bytes[cut]!)) cut--;
  return cut;
}

/**
 * Object names of records: `<prefix>records/<escaped key>` (object-names.ts escapes CR, LF and
 * other low control bytes, preserving byte order).
 *
 * GCS names hold 1,024 bytes, but the engine's record keys reach 1,024-byte S3 keys plus a
 * bucket. So keys longer than `headBytes` raw bytes (chosen so that even a fully escaped head
 * fits) are named `<escaped head><U+10FFFF><hash>`, with the key itself in custom metadata.
 * The head is the key cut at the last character boundary ≤ `headBytes`. Byte order survives:
 * two names differ inside their heads exactly where their keys differ, and where one name
 * has the mark the other has (at worst) the lead byte of a character that ended before
 * `headBytes` — a character shorter than the one the long key's head was cut before, so its
 * lead byte (≤ 0xEF) sorts below the mark (0xF4), just as the key sorts below the long key.
 * Long keys sharing a head list as one contiguous run in hash order; `listRecords` sorts each
 * run by full key (runs are as large as the number of keys sharing ~490 leading bytes).
 */
export class RecordNames {
  readonly prefix: string;
  readonly headBytes: number;

  constructor(storePrefix: string) {
    this.prefix = `${storePrefix}records/`;
    const room = MAX_OBJECT_NAME_BYTES - Buffer.byteLength(this.prefix, 'utf8') - Buffer.byteLength(LONG_MARK) - HASH_HEX_CHARS;
    this.headBytes = Math.floor(room / 2); // every head byte may escape to two
  }

  /** The object name of `key`, and for a long key the metadata that carries it. */
  nameOf(key: string): { readonly name: string; readonly longKey?: string } {
    const escaped = escapeKey(key); // also rejects lone surrogates
    const bytes = Buffer.from(key, 'utf8');
    if (bytes.length > MAX_RECORD_KEY_BYTES) {
      throw new RecordKeyNotStorableError(key, `it is ${bytes.length} bytes (the GCS store holds ${MAX_RECORD_KEY_BYTES})`);
    }
    if (bytes.length <= this.headBytes) return { name: this.prefix + escaped };
    const head = bytes.subarray(0, boundaryAtOrBefore(bytes, this.headBytes)).toString('utf8');
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, HASH_HEX_CHARS);
    return { name: this.prefix + escapeKey(head) + LONG_MARK + hash, longKey: bytes.toString('base64') };
  }

  /**
   * A name prefix every key starting with `keyPrefix` has: long keys are cut at least at
   * `headBytes - 3` (a character has at most 4 bytes), so the key prefix is cut there too.
   * Listings filter by full key afterwards.
   */
  listingPrefixOf(keyPrefix: string): string {
    const bytes = Buffer.from(keyPrefix, 'utf8');
    const safe = bytes.length <= this.headBytes - 3 ? bytes.length : boundaryAtOrBefore(bytes, this.headBytes - 3);
    return this.prefix + escapeKey(bytes.subarray(0, safe).toString('utf8'));
  }

  /**
   * The key behind a listed name, and for a long key the run it belongs to (its name without
   * the hash). A long name is recognised by its metadata, not by the mark, because a short
   * key may itself contain U+10FFFF.
   */
  parse(name: string, metadata: Readonly<Record<string, unknown>> | undefined): { readonly key: string; readonly run?: string } {
    const longKey = longKeyFromMetadata(metadata);
    if (longKey !== undefined) return { key: longKey, run: name.slice(0, -HASH_HEX_CHARS) };
    return { key: unescapeKey(name.slice(this.prefix.length)) };
  }
}

export function longKeyFromMetadata(metadata: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = metadata?.[LONG_KEY_FIELD];
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}
