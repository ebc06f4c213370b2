/** Deterministic bytes: byte i of a stream seeded with `seed` (cheap to regenerate for checks). */
export function patternByte(seed: number, i: number): number {
  return (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
}

export function pattern(seed: number, size: number, from = 0): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = patternByte(seed, from + i);
  return out;
}

/** A body of `size` pattern bytes, delivered in pieces of `piece` bytes (generated, not held). */
export async function* patternBody(seed: number, size: number, piece = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let at = 0; at < size; at += piece) yield pattern(seed, Math.min(piece, size - at), at);
}

export async function* bodyOf(...pieces: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const piece of pieces) yield piece;
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for await (const piece of source) pieces.push(piece);
  return new Uint8Array(Buffer.concat(pieces));
}

export function concat(...arrays: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(arrays));
}

/**
 * Byte equality without vitest's element-by-element deep equal (which takes seconds per MiB);
 * on mismatch, reports where the bytes first differ.
 */
export function sameBytes(actual: Uint8Array, expected: Uint8Array): string {
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))) return 'equal';
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  return `differ at byte ${i} (lengths ${actual.length} vs ${expected.length})`;
}
