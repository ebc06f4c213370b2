/** One block cut from a part body; the consumer owns `bytes` (the cutter never reuses it). */
export interface CutBlock {
  readonly bytes: Buffer;
  /** True for the part's final block (known before it is staged: see `cutBlocks`). */
  readonly last: boolean;
}

const INITIAL_BUFFER = 64 * 1024;

/**
 * Cuts a body into blocks of exactly `blockSize` bytes (the last one shorter). The cutter
 * holds at most one block being filled; how many cut blocks are alive beyond that is up to
 * the consumer (writePart keeps `stageConcurrency` of them in flight). A full block is handed
 * out only once a further byte has arrived, which is how the last block is known to be last
 * without buffering a second block. The first buffer grows from 64 KiB, so small parts do not
 * pay for a full block; once a part has filled one block, the next ones start full-size.
 */
export async function* cutBlocks(body: AsyncIterable<Uint8Array>, blockSize: number): AsyncGenerator<CutBlock> {
  let buffer = Buffer.allocUnsafe(Math.min(blockSize, INITIAL_BUFFER));
  let filled = 0;
  for await (const chunk of body) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (filled === blockSize) {
        yield { bytes: buffer, last: false }; // more bytes follow: `chunk` still has some
        buffer = Buffer.allocUnsafe(blockSize);
        filled = 0;
      }
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(blockSize, buffer.length * 2));
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const take = Math.min(buffer.length - filled, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
    }
  }
  if (filled > 0) yield { bytes: buffer.subarray(0, filled), last: true };
}
