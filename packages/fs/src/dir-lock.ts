import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { DataDirectoryLockedError } from './errors.js';

/**
 * One process per data directory. The lock is a file created with O_EXCL holding the owner's
 * pid, hostname and start time. A lock left by a dead process on this host is taken over; a
 * live holder (including this very process, through another FsStore) is an error naming it.
 *
 * Why not flock: Node has no portable flock, and a pid in the file gives the operator the
 * fact they need ("who holds it?") in the error message.
 */

export const LOCK_FILE = 'mpu.lock';

interface LockContent {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  readonly token: string;
}

export interface DirLock {
  /** The lock was taken over from a dead owner: the last process did not shut down cleanly. */
  readonly previousOwnerDied: boolean;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt, token: String(value.token ?? '') };
    }
  } catch {
    // fall through: torn or foreign content
  }
  return undefined;
}

/** A lock file with no parseable content this old was left by a crash between create and write. */
const EMPTY_LOCK_GRACE_MS = 5_000;

export async function acquireDirLock(root: string, lockPath: string): Promise<DirLock> {
  const mine: LockContent = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(16).toString('hex'),
  };
  let previousOwnerDied = false;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(mine) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { previousOwnerDied, release: () => releaseLock(lockPath, mine.token) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw error;
    }
    const holder = parseLock(text);
    if (!holder) {
      const age = Date.now() - (await stat(lockPath).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age < EMPTY_LOCK_GRACE_MS) throw new DataDirectoryLockedError(root, lockPath, undefined);
    } else if (holder.hostname !== mine.hostname || isAlive(holder.pid)) {
      throw new DataDirectoryLockedError(root, lockPath, holder);
    }
    // Stale: its owner is dead. Remove it and race for O_EXCL again.
    previousOwnerDied = true;
    await removeStaleLock(lockPath, text);
  }
  throw new Error(`could not acquire ${lockPath} after repeated takeover attempts`);
}

/** A takeover marker this old belongs to a process that died mid-takeover. */
const TAKEOVER_GRACE_MS = 10_000;

/**
 * Removes the stale lock file whose content was `staleText` — unless it changed meanwhile.
 * Two processes that both judged the lock stale must not both remove "it": the second would
 * delete the first one's fresh lock. So removal happens only while holding `<lock>.takeover`
 * (O_EXCL), after re-reading the lock under it.
 */
async function removeStaleLock(lockPath: string, staleText: string): Promise<void> {
  const markerPath = `${lockPath}.takeover`;
  let marker;
  try {
    marker = await open(markerPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (await stat(markerPath).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > TAKEOVER_GRACE_MS) await unlink(markerPath).catch(() => undefined);
    else await new Promise((resolve) => setTimeout(resolve, 50)); // another process is taking over
    return; // the caller tries O_EXCL again and looks at whatever lock is there then
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await unlink(lockPath).catch(() => undefined);
  } finally {
    await marker.close();
    await unlink(markerPath).catch(() => undefined);
  }
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  // Only remove the file if it is still ours (never someone's who took over a stale lock).
  const current = parseLock(await readFile(lockPath, 'utf8').catch(() => ''));
  if (current?.token === token) await unlink(lockPath).catch(() => undefined);
}
