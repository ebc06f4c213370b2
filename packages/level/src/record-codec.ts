import { CorruptEntryError } from './manifest.js';

/**
 * A record value in the database: one length byte, the version (ASCII), then the value.
 * The version lives beside the value so a read returns both from one `get`.
 */
export function encodeRecord(version: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + version.length + value.byteLength);
  out[0] = version.length;
  for (let i = 0; i < version.length; i++) out[1 + i] = version.charCodeAt(i);
  out.set(value, 1 + version.length);
  return out;
}

export function decodeRecord(stored: Uint8Array): { readonly version: string; readonly value: Uint8Array } {
  const length = stored[0];
  if (length === undefined || stored.byteLength < 1 + length) throw new CorruptEntryError('record');
  const version = String.fromCharCode(...stored.subarray(1, 1 + length));
  // A plain Uint8Array view (not the Buffer LevelDB handed us): no copy, exact type.
  const value = new Uint8Array(stored.buffer, stored.byteOffset + 1 + length, stored.byteLength - 1 - length);
  return { version, value };
}
