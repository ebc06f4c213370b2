import { open } from 'node:fs/promises';

/**
 * Stream bytes [from, to] (inclusive) of one part file. A FileHandle loop instead of
 * `createReadStream`: an object of 10,000 small parts pays one open/read/close per part
 * rather than a stream's setup, and big parts move in 1 MiB reads with one read ahead of the
 * consumer (at most two chunks held).
 */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Thrown when a part file is shorter than its manifest says (truncated on disk). */
export class TruncatedPartError extends Error {
  override readonly name = 'TruncatedPartError';
  constructor(
    readonly path: string,
    readonly expectedEnd: number,
    readonly position: number,
  ) {
    super(`${path} ends at byte ${position}, the manifest says it holds byte ${expectedEnd}`);
  }
}

export async function* readPartFile(path: string, from: number, to: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  // One read ahead: the next chunk is in flight while the consumer handles this one, so the
  // disk (or page-cache copy) and the consumer overlap. At most two chunks are held.
  const readAt = async (position: number): Promise<Buffer> => {
    const length = Math.min(READ_CHUNK_BYTES, to - position + 1);
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) throw new TruncatedPartError(path, to, position + filled);
      filled += bytesRead;
    }
    return buffer;
  };
  let pending: Promise<Buffer> | undefined;
  try {
    let position = from;
    pending = position <= to ? readAt(position) : undefined;
    while (pending) {
      const chunk = await pending;
      position += chunk.length;
      pending = position <= to ? readAt(position) : undefined;
      pending?.catch(() => undefined); // observed on the next turn; never unhandled if we stop early
      yield chunk;
    }
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
  }
}
