import { createHash } from 'node:crypto';

/**
 * Block IDs of a part's blocks on its upload's data blob.
 *
 * Azure requires every block ID of one blob to have the same length (at most 64 bytes before
 * base64), so an ID is a fixed 21-byte value: 16 bytes of SHA-256 over (upload, partId) —
 * upload-scoped and unique per attempt because partIds are — then the block's index within
 * the part (uint32 big-endian) and a flag byte that marks the part's last block. The flag is
 * what lets `assemble` tell a complete part from one whose writer died half-way, without
 * keeping any per-part metadata: a part is its blocks 0..k where only k carries the flag.
 *
 * A second flag marks a discard marker: Azure cannot delete one uncommitted block, so
 * `discard(upload, ids)` stages a 1-byte marker block for each part instead, and `assemble`
 * treats a marked part as gone. Markers are never committed, so they vanish with the rest of
 * the uncommitted blocks at assemble or when the upload's blob is deleted.
 */
const DIGEST_BYTES = 16;
const ID_BYTES = DIGEST_BYTES + 4 + 1;
const LAST_FLAG = 1;
const DISCARDED_FLAG = 2;
/** Index of a part's discard marker, beyond any real block (a blob holds 50,000 at most). */
const MARKER_INDEX = 0xffff_ffff;

export interface ParsedBlockId {
  /** Hex of the (upload, partId) digest; compare with `partDigest`. */
  readonly partDigest: string;
  readonly index: number;
  readonly last: boolean;
  /** A discard marker, not data. */
  readonly discarded: boolean;
}

export function partDigest(upload: string, partId: string): string {
  // Length-prefixed, so no (upload, partId) pair can collide with another by shifting bytes.
  const uploadBytes = Buffer.from(upload, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(uploadBytes.length);
  return createHash('sha256')
    .update(length)
    .update(uploadBytes)
    .update(partId, 'utf8')
    .digest()
    .subarray(0, DIGEST_BYTES)
    .toString('hex');
}

export function blockId(digestHex: string, index: number, last: boolean): string {
  const raw = Buffer.alloc(ID_BYTES);
  raw.write(digestHex, 0, DIGEST_BYTES, 'hex');
  raw.writeUInt32BE(index, DIGEST_BYTES);
  raw.writeUInt8(last ? LAST_FLAG : 0, DIGEST_BYTES + 4);
  return raw.toString('base64');
}

export function discardMarkerId(digestHex: string): string {
  const raw = Buffer.alloc(ID_BYTES);
  raw.write(digestHex, 0, DIGEST_BYTES, 'hex');
  raw.writeUInt32BE(MARKER_INDEX, DIGEST_BYTES);
  raw.writeUInt8(DISCARDED_FLAG, DIGEST_BYTES + 4);
  return raw.toString('base64');
}

/** The parsed ID, or undefined for a block this store did not stage. */
export function parseBlockId(id: string): ParsedBlockId | undefined {
  const raw = Buffer.from(id, 'base64');
  if (raw.length !== ID_BYTES || raw.toString('base64') !== id) return undefined;
  return {
    partDigest: raw.subarray(0, DIGEST_BYTES).toString('hex'),
    index: raw.readUInt32BE(DIGEST_BYTES),
    last: (raw.readUInt8(DIGEST_BYTES + 4) & LAST_FLAG) !== 0,
    discarded: (raw.readUInt8(DIGEST_BYTES + 4) & DISCARDED_FLAG) !== 0,
  };
}
