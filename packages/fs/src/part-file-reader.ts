import { open } from 'node:fs/promises';

/**
 * Stream bytes [from, to] (inclusive) of one part file. A FileHandle loop instead of
 * `createReadStream`: an object of 10,000 small parts pays one open/read/close per part
 * rather than a stream's setup, and big parts still move in 1 MiB reads with one buffer in
 * flight at a time (the consumer pulls, we read).
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
  try {
    for (let position = from; position <= to; ) {
      const length = Math.min(READ_CHUNK_BYTES, to - position + 1);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) throw new TruncatedPartError(path, to, position);
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
