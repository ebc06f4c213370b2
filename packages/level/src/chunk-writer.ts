/**
 * Re-cuts a body of arbitrary pieces into chunks of exactly `chunkSize` bytes (the last one
 * may be shorter). Holds at most one chunk in memory; every yielded chunk is a fresh copy,
 * so callers may reuse their buffers and the database may keep ours.
 */
export async function* rechunk(
  body: AsyncIterable<Uint8Array>,
  chunkSize: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let buffer: Uint8Array | undefined;
  let filled = 0;
  for await (const piece of body) {
    signal?.throwIfAborted();
    let at = 0;
    while (at < piece.byteLength) {
      buffer ??= new Uint8Array(chunkSize);
      const take = Math.min(chunkSize - filled, piece.byteLength - at);
      buffer.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === chunkSize) {
        yield buffer;
        buffer = undefined;
        filled = 0;
      }
    }
  }
  signal?.throwIfAborted();
  // A short tail gets its own exact-size copy rather than a view into a mostly empty buffer.
  if (buffer && filled > 0) yield buffer.slice(0, filled);
}
