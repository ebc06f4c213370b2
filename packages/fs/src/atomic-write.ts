import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROCESS_OWNER } from './process-owner.js';

/**
 * Durable, atomic file publication: bytes go to a temp file in the store's own `tmp/`
 * directory (same volume, so `rename` is atomic), are fsynced, renamed into place, and the
 * target's directory is fsynced so the new name survives a power cut.
 */

/** Named by owner, so recovery in one process never removes another live process's temp files. */
export function tempPath(tmpDir: string): string {
  return join(tmpDir, `${PROCESS_OWNER}-${randomBytes(12).toString('hex')}.tmp`);
}

export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * `mkdir -p`, and when `durable`, fsync the parent of every directory it created, so the new
 * directory entries are on disk before anything inside them is acknowledged.
 */
export async function ensureDirectory(path: string, durable: boolean): Promise<void> {
  const firstCreated = await mkdir(path, { recursive: true });
  if (!durable || firstCreated === undefined) return;
  const parents: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    parents.push(dirname(dir));
    if (dir === firstCreated || dirname(dir) === dir) break;
  }
  for (const parent of parents.reverse()) await fsyncDirectory(parent);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Rename a finished temp file to `target`. Empty directories are pruned concurrently (after a
 * record delete or a discard), so the target's directory may vanish between `mkdir` and
 * `rename`: recreate it and try again.
 */
export async function renameIntoPlace(temp: string, target: string, durable: boolean): Promise<void> {
  const directory = dirname(target);
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureDirectory(directory, durable);
      await rename(temp, target);
      break;
    } catch (error) {
      // ENOTDIR too: Node's recursive mkdir reports it when a directory it just saw exists
      // is pruned before it can stat it. Nothing in the layout is a file where a directory goes.
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || attempt >= 50) throw error;
    }
  }
  if (durable) await fsyncDirectory(directory);
}

/** Write `data` to `target` atomically (readers see the old file or the new, never a mix). */
export async function writeFileAtomic(tmpDir: string, target: string, data: Uint8Array, durable: boolean): Promise<void> {
  const temp = tempPath(tmpDir);
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(data); // writeFile loops over short writes
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await renameIntoPlace(temp, target, durable);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Remove a file; absent is fine. */
export async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

export { isMissing };
