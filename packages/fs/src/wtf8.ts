/**
 * Lossless string ↔ bytes for keys and ids. Well-formed strings encode exactly as UTF-8, so
 * byte order is UTF-8 byte order. A JS string may hold lone surrogates (invalid UTF-8); plain
 * `Buffer.from(s, 'utf8')` turns every one of them into U+FFFD, which would make "\uD800" and
 * "\uFFFD" the same file. WTF-8 encodes a lone surrogate as its own 3-byte sequence instead,
 * so distinct strings always get distinct bytes and decode back unchanged.
 */

const LONE_SURROGATE_CANDIDATE = /[\uD800-\uDFFF]/;

export function encodeWtf8(text: string): Buffer {
  if (!LONE_SURROGATE_CANDIDATE.test(text)) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      bytes.push(0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 0x3f), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
      i++;
    } else if (unit < 0x80) {
      bytes.push(unit);
    } else if (unit < 0x800) {
      bytes.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f));
    } else {
      // BMP characters and lone surrogates alike: three bytes.
      bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    }
  }
  return Buffer.from(bytes);
}

/** Inverse of `encodeWtf8` for bytes it produced. */
export function decodeWtf8(bytes: Uint8Array): string {
  if (!hasEncodedSurrogate(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      text += String.fromCharCode(lead);
      i += 1;
    } else if (lead < 0xe0) {
      text += String.fromCharCode(((lead & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f));
      i += 2;
    } else if (lead < 0xf0) {
      text += String.fromCharCode(((lead & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f));
      i += 3;
    } else {
      text += String.fromCodePoint(
        ((lead & 0x07) << 18) | (((bytes[i + 1] ?? 0) & 0x3f) << 12) | (((bytes[i + 2] ?? 0) & 0x3f) << 6) | ((bytes[i + 3] ?? 0) & 0x3f),
      );
      i += 4;
    }
  }
  return text;
}

/** A surrogate code unit encodes as ED A0..BF xx, a sequence valid UTF-8 never contains. */
function hasEncodedSurrogate(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xed && (bytes[i + 1] ?? 0) >= 0xa0) return true;
  }
  return false;
}
