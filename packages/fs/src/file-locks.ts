import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeyedMutex } from '@mpu/core';
import { isOwnerAlive, PROCESS_OWNER } from './process-owner.js';

/**
 * Mutual exclusion per name across every process (and every FsStore) sharing a data
 * directory: a lock is the symbolic link `locks/<sha256(name)>.lock` whose target is
 * `<owner> <token>` (the link is never followed; the target is just its content). Record
 * compare-and-swap is "read version, compare, publish by rename" under the record key's
 * lock, which is simple to prove: symlink(2) fails with EEXIST when the name exists, atomically
 * on a local filesystem, so at most one holder exists, and the holder's rename is the only
 * change to that record while it holds it.
 *
 * Why a symlink rather than an O_EXCL file: creating it and its content is one system call
 * (open + write + close is three, and a crash between them leaves an empty lock), and
 * releasing is one unlink. Every record write and delete takes a lock, so this matters.
 * Why not link()-based CAS of versioned files: it needs a second file per version and a
 * garbage collector. Why not flock: Node has no flock, and the owner in the lock lets a
 * contender see a dead holder.
 *
 * A holder that died (SIGKILL, crash) leaves its file behind: a contender that finds the
 * owner dead removes it under `<lock>.takeover` (O_EXCL), re-reading it there so it never
 * removes a fresh lock another contender took meanwhile. In-process callers queue on a
 * KeyedMutex first, so only one per process polls the file.
 */
const POLL_MAX_MS = 16;

export class FileLocks {
  readonly #inProcess = new KeyedMutex();

  constructor(private readonly dir: string) {}

  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#inProcess.run(name, async () => {
      const path = join(this.dir, `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.lock`);
      const content = `${PROCESS_OWNER} ${randomBytes(8).toString('hex')}`;
      await acquire(this.dir, path, content);
      try {
        return await task();
      } finally {
        // Never anyone else's file: a live holder's lock is never taken over.
        unlinkIfPresent(path);
      }
    });
  }
}

async function acquire(dir: string, path: string, content: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(dir, path, content)) return;
    const holder = readIfPresent(path);
    if (holder === undefined) continue; // released meanwhile: try again at once
    if (isStale(holder)) {
      removeStale(path, holder);
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1 + attempt, POLL_MAX_MS)));
  }
}

function tryCreate(dir: string, path: string, content: string): boolean {
  try {
    symlinkSync(content, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw error;
    mkdirSync(dir, { recursive: true });
    return false;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(holder: string): boolean {
  return !isOwnerAlive(holder.split(' ')[0] ?? '');
}

/** Remove the lock file if it still holds `staleText` (see the class comment). */
function removeStale(path: string, staleText: string): void {
  const marker = `${path}.takeover`;
  const content = `${PROCESS_OWNER} ${randomBytes(8).toString('hex')}`;
  if (!tryCreate(dirname(path), marker, content)) {
    const owner = readIfPresent(marker);
    // A marker whose owner died mid-takeover would block the key forever.
    if (owner !== undefined && isStale(owner)) unlinkIfPresent(marker);
    return;
  }
  try {
    if (readIfPresent(path) === staleText) unlinkIfPresent(path);
  } finally {
    unlinkIfPresent(marker);
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
