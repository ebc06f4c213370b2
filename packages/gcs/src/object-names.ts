/**
 * How mpu names its GCS objects. GCS object names are 1–1024 bytes of UTF-8 and may not
 * contain CR or LF (https://cloud.google.com/storage/docs/objects#naming).
 *
 * Record keys are escaped byte-wise so that escaped names sort exactly like the keys' UTF-8
 * bytes (GCS lists in byte order, and `listRecords` must too): every byte 0x00–0x0D (which
 * includes CR, LF and the escape byte 0x01 itself) becomes the pair 0x01, 0x40+byte; every
 * other byte is kept. Escaped codes start with 0x01, below every kept byte, and compare among
 * themselves like the bytes they stand for, so the order is preserved; the code is prefix-free,
 * so key prefixes map to name prefixes. Such keys cost one extra byte per escaped byte.
 */
const ESCAPE = 0x01;
const LAST_ESCAPED = 0x0d;
const ESCAPE_OFFSET = 0x40;

export const MAX_OBJECT_NAME_BYTES = 1024;

/** A UTF-16 surrogate without its pair has no UTF-8 form (Buffer.from would turn it into U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Thrown for a key that cannot be stored as a GCS object name. */
export class RecordKeyNotStorableError extends RangeError {
  override readonly name = 'RecordKeyNotStorableError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`record key ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)} cannot be stored in GCS: ${reason}`);
  }
}

export function escapeKey(key: string): string {
  if (LONE_SURROGATE.test(key)) throw new RecordKeyNotStorableError(key, 'it contains a lone UTF-16 surrogate (not valid UTF-8)');
  const bytes = Buffer.from(key, 'utf8');
  let escapes = 0;
  for (const byte of bytes) if (byte <= LAST_ESCAPED) escapes++;
  if (escapes === 0) return key;
  const out = Buffer.alloc(bytes.length + escapes);
  let at = 0;
  for (const byte of bytes) {
    if (byte <= LAST_ESCAPED) {
      out[at++] = ESCAPE;
      out[at++] = ESCAPE_OFFSET + byte;
    } else {
      out[at++] = byte;
    }
  }
  return out.toString('utf8');
}

export function unescapeKey(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (!bytes.includes(ESCAPE)) return name;
  const out = Buffer.alloc(bytes.length);
  let at = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    out[at++] = byte === ESCAPE ? bytes[++i]! - ESCAPE_OFFSET : byte;
  }
  return out.subarray(0, at).toString('utf8');
}

/** Path segments for upload ids and part ids: order is irrelevant, '/' must not split them. */
function segment(value: string): string {
  if (value.length === 0) throw new RangeError('upload and part ids must not be empty');
  return encodeURIComponent(value);
}

/** The object layout under the store's prefix (records: record-names.ts). */
export class ObjectNames {
  constructor(readonly prefix: string) {}

  partsOf(upload: string): string {
    return `${this.prefix}parts/${segment(upload)}/`;
  }

  part(upload: string, partId: string): string {
    return this.partsOf(upload) + segment(partId);
  }

  /** Intermediate composites of one assemble attempt (`nonce` keeps attempts apart). */
  temporary(upload: string, nonce: string, level: number, index: number): string {
    return `${this.prefix}tmp/${segment(upload)}/${nonce}/${level}-${index}`;
  }

  /** The assembled object: named by the part list, so assembling the same list again finds it. */
  assembled(upload: string, partListHash: string): string {
    return `${this.prefix}objects/${segment(upload)}/${partListHash}`;
  }

  /** Handles are names relative to the prefix, so they survive a bucket copy. */
  handleOf(objectName: string): string {
    return `gcs:${objectName.slice(this.prefix.length)}`;
  }

  /** The staged-parts prefix of the upload a handle was assembled from. */
  partsOfHandle(handle: string): string {
    const object = this.objectOf(handle);
    const segmentStart = `${this.prefix}objects/`.length;
    const segmentEnd = object.indexOf('/', segmentStart);
    return `${this.prefix}parts/${object.slice(segmentStart, segmentEnd)}/`;
  }

  objectOf(handle: string): string {
    if (!handle.startsWith('gcs:objects/')) throw new RangeError(`not a GCS data handle: ${JSON.stringify(handle)}`);
    return this.prefix + handle.slice('gcs:'.length);
  }
}
