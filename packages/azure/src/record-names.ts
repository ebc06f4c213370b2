import { createHash } from 'node:crypto';
import { decodeKey, encodeBytes, encodeKey, InvalidEncodedKeyError } from './key-encoding.js';

/** Azure's limit on a blob name, in characters. https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names */
export const MAX_BLOB_NAME_CHARS = 1024;
/**
 * Longest record key, in UTF-8 bytes. A long key travels base64-encoded in blob metadata
 * (8 KiB in all per blob), beside the writer nonce and an inlined value of up to 2 KiB.
 */
export const MAX_RECORD_KEY_BYTES = 2048;
/** Every encoded key starts with this, so the empty key still names a blob not ending in `/`. */
const KEY_MARK = 'k';
/** Sorts after every character of the key alphabet: long names follow their head's short name. */
const LONG_MARK = '~';
const HASH_BYTES = 16;
const HASH_CHARS = Math.ceil((HASH_BYTES * 8) / 6);

/**
 * Blob names of records: `<prefix>records/k<encoded key>`, order-preserving (key-encoding.ts).
 *
 * A blob name holds 1,024 characters, and the encoding needs 4 per 3 key bytes, so keys up to
 * `headBytes` (about 740 bytes) are encoded whole. A longer key — S3 allows 1,024-byte object
 * keys, and the engine adds the bucket — is named by its first `headBytes` bytes (a multiple
 * of 3, so the head encodes cleanly), `~`, and a hash of the whole key; the key itself is in
 * metadata. All long keys sharing a head list as one contiguous run right after the head's
 * own name (`~` sorts after the alphabet), so a listing restores byte order by sorting each
 * run by full key — runs are only as large as the number of keys sharing ~740 leading bytes.
 */
export class RecordNames {
  readonly prefix: string;
  readonly headBytes: number;

  constructor(storePrefix: string) {
    this.prefix = `${storePrefix}records/${KEY_MARK}`;
    const room = MAX_BLOB_NAME_CHARS - Buffer.byteLength(this.prefix, 'utf8') - LONG_MARK.length - HASH_CHARS;
    this.headBytes = Math.max(0, Math.floor(Math.floor((room * 6) / 8) / 3) * 3);
  }

  nameOf(key: string): string {
    const bytes = Buffer.from(key, 'utf8');
    if (bytes.length <= this.headBytes) return this.prefix + encodeKey(key);
    const hash = createHash('sha256').update(bytes).digest().subarray(0, HASH_BYTES);
    return this.prefix + encodeBytes(bytes.subarray(0, this.headBytes)) + LONG_MARK + encodeBytes(hash);
  }

  isLong(key: string): boolean {
    return Buffer.byteLength(key, 'utf8') > this.headBytes;
  }

  /** Name prefix shared by every key starting with `keyPrefix`. */
  listingPrefixOf(keyPrefix: string): string {
    const bytes = Buffer.from(keyPrefix, 'utf8');
    const usable = Math.min(bytes.length - (bytes.length % 3), this.headBytes);
    return this.prefix + encodeBytes(bytes.subarray(0, usable));
  }

  /**
   * What a listed name says: the key of a short name; the run (head) of a long name, whose key
   * is in metadata; undefined for a name this store did not write.
   */
  parse(name: string): { readonly key: string } | { readonly run: string } | undefined {
    if (!name.startsWith(this.prefix)) return undefined;
    const rest = name.slice(this.prefix.length);
    const mark = rest.indexOf(LONG_MARK);
    if (mark >= 0) return { run: rest.slice(0, mark) };
    try {
      return { key: decodeKey(rest) };
    } catch (error) {
      if (error instanceof InvalidEncodedKeyError) return undefined;
      throw error;
    }
  }
}
