/**
 * The key layout of a LevelStore database. Keys are raw bytes (LevelDB compares them
 * bytewise), one namespace per leading byte:
 *
 *   r 00 <record key, UTF-8>                            record: version + value
 *   p 00 <upload> 00 <partId>                           part meta (writing / complete)
 *   d 00 <upload> 00 <partId> 00 <chunk index, 10 digits>  one chunk of part bytes
 *   m 00 <upload> 00 <handle id>                        manifest of an assembled object
 *
 * Upload and part ids are arbitrary strings, so they are escaped to contain no 00 byte
 * (00 → 01 01, 01 → 01 02): the 00 separators are then unambiguous, and "everything under
 * this component" is the range [component 00, component 01).
 */

const RECORD = 0x72; // 'r'
const PART_META = 0x70; // 'p'
const CHUNK = 0x64; // 'd'
const MANIFEST = 0x6d; // 'm'

/** Chunk indexes are zero-padded so their byte order is their numeric order. */
export const CHUNK_INDEX_DIGITS = 10;

/** A byte range of keys: gte inclusive, lt exclusive. */
export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Escapes an id so it contains no 00 byte; prefix-free, so distinct ids never collide. */
export function escapeComponent(id: string): Uint8Array {
  const raw = utf8.encode(id);
  let extra = 0;
  for (const byte of raw) if (byte <= 0x01) extra++;
  if (extra === 0) return raw;
  const out = new Uint8Array(raw.length + extra);
  let at = 0;
  for (const byte of raw) {
    if (byte <= 0x01) {
      out[at++] = 0x01;
      out[at++] = byte + 1;
    } else {
      out[at++] = byte;
    }
  }
  return out;
}

function join(namespace: number, ...parts: readonly Uint8Array[]): Uint8Array {
  // namespace, then each part preceded by a 00 separator
  const length = parts.reduce((sum, part) => sum + 1 + part.length, 1);
  const out = new Uint8Array(length);
  out[0] = namespace;
  let at = 1;
  for (const part of parts) {
    out[at++] = 0x00;
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Every key that starts with `prefix` followed by a 00 separator. */
function under(prefix: Uint8Array): KeyRange {
  const gte = new Uint8Array(prefix.length + 1);
  gte.set(prefix);
  const lt = gte.slice();
  lt[prefix.length] = 0x01;
  return { gte, lt };
}

// ── records ──────────────────────────────────────────────────────────────────────────────

export function recordKey(key: string): Uint8Array {
  return join(RECORD, utf8.encode(key));
}

/** The record key back from its database key (records are stored unescaped). */
export function recordKeyOf(dbKey: Uint8Array): string {
  return utf8Decoder.decode(dbKey.subarray(2));
}

/**
 * Record keys starting with `prefix` and, if given, strictly after `startAfter`. UTF-8 never
 * contains an FF byte, so `prefix FF` bounds every key that extends the prefix.
 */
export function recordRange(prefix: string, startAfter?: string): { gt?: Uint8Array; gte?: Uint8Array; lt: Uint8Array } {
  const low = recordKey(prefix);
  const lt = new Uint8Array(low.length + 1);
  lt.set(low);
  lt[low.length] = 0xff;
  if (startAfter === undefined) return { gte: low, lt };
  const after = recordKey(startAfter);
  return Buffer.compare(after, low) >= 0 ? { gt: after, lt } : { gte: low, lt };
}

// ── part data ────────────────────────────────────────────────────────────────────────────

export function partMetaKey(upload: string, partId: string): Uint8Array {
  return join(PART_META, escapeComponent(upload), escapeComponent(partId));
}

/** Every part meta key of an upload. */
export function partMetaRange(upload: string): KeyRange {
  return under(join(PART_META, escapeComponent(upload)));
}

/** The (escaped) part id back from a part meta key of `upload`. */
export function partIdOf(upload: string, metaKey: Uint8Array): string {
  const skip = 1 + 1 + escapeComponent(upload).length + 1;
  return unescapeComponent(metaKey.subarray(skip));
}

export function chunkKey(upload: string, partId: string, index: number): Uint8Array {
  const digits = utf8.encode(String(index).padStart(CHUNK_INDEX_DIGITS, '0'));
  return join(CHUNK, escapeComponent(upload), escapeComponent(partId), digits);
}

/** Every chunk of one part. */
export function partChunksRange(upload: string, partId: string): KeyRange {
  return under(join(CHUNK, escapeComponent(upload), escapeComponent(partId)));
}

// ── manifests ────────────────────────────────────────────────────────────────────────────

export function manifestKey(upload: string, handleId: string): Uint8Array {
  return join(MANIFEST, escapeComponent(upload), utf8.encode(handleId));
}

/** Every manifest of an upload (to know which staged parts an assembled handle uses). */
export function manifestRange(upload: string): KeyRange {
  return under(join(MANIFEST, escapeComponent(upload)));
}

function unescapeComponent(escaped: Uint8Array): string {
  const out: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const byte = escaped[i]!;
    if (byte === 0x01) out.push(escaped[++i]! - 1);
    else out.push(byte);
  }
  return utf8Decoder.decode(Uint8Array.from(out));
}
