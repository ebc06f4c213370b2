import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureDirectory, isMissing } from './atomic-write.js';
import { DataDirectoryLayoutError, DataDirectoryLockedError } from './errors.js';
import type { Layout } from './layout.js';
import { isOwnerAlive, OWNER_PATTERN, PROCESS_OWNER } from './process-owner.js';

/**
 * Several processes on one host share a data directory. Each open store registers as a
 * member (`members/<owner>.<random>`, removed on close); a member entry whose process is dead
 * means that process did not shut down cleanly, which tells open to sync the filesystem
 * (recovery.ts). What cannot be shared is refused:
 * - a directory written in another layout (`mpu-layout` names it): `DataDirectoryLayoutError`;
 * - a live `mpu.lock` of an older, single-process mpu (it would delete our temp files on its
 *   next open): `DataDirectoryLockedError`. A dead one is removed.
 */
export const LAYOUT_FILE = 'mpu-layout';
export const LAYOUT_VERSION = 'mpu-fs 2';
/** The exclusive lock file of mpu versions before layout 2. */
export const LEGACY_LOCK_FILE = 'mpu.lock';

export interface Membership {
  /** A previous process left without closing (crash, SIGKILL): its writes may not be synced. */
  readonly previousOwnerDied: boolean;
  leave(): Promise<void>;
}

export async function joinDataDirectory(layout: Layout, durable: boolean): Promise<Membership> {
  await checkLayout(layout);
  let previousOwnerDied = await removeDeadLegacyLock(layout);
  await ensureDirectory(layout.membersDir, durable);
  for (const name of await readdir(layout.membersDir)) {
    const owner = name.split('.')[0] ?? '';
    if (OWNER_PATTERN.test(owner) && isOwnerAlive(owner)) continue;
    previousOwnerDied = true;
    await unlink(join(layout.membersDir, name)).catch(() => undefined); // another opener may be doing the same
  }
  const entry = join(layout.membersDir, `${PROCESS_OWNER}.${randomBytes(6).toString('hex')}`);
  await writeFile(entry, `${new Date().toISOString()}\n`, { flag: 'wx' });
  return { previousOwnerDied, leave: () => unlink(entry).catch(() => undefined) };
}

async function checkLayout(layout: Layout): Promise<void> {
  const path = join(layout.root, LAYOUT_FILE);
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(`${LAYOUT_VERSION}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Written by another opener, maybe a moment ago: an empty file is one still being written.
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = (await readFile(path, 'utf8')).trim();
    if (found === LAYOUT_VERSION) return;
    if (found !== '') throw new DataDirectoryLayoutError(layout.root, found, LAYOUT_VERSION);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new DataDirectoryLayoutError(layout.root, '', LAYOUT_VERSION);
}

async function removeDeadLegacyLock(layout: Layout): Promise<boolean> {
  const path = join(layout.root, LEGACY_LOCK_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  let holder: { pid?: unknown; hostname?: unknown; startedAt?: unknown } = {};
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    // torn content: an old process died between create and write
  }
  if (typeof holder.pid === 'number' && typeof holder.hostname === 'string') {
    const startedAt = typeof holder.startedAt === 'string' ? holder.startedAt : 'unknown';
    if (holder.hostname !== hostname() || isOwnerAlive(`${holder.pid}-0`)) {
      throw new DataDirectoryLockedError(layout.root, path, { pid: holder.pid, hostname: holder.hostname, startedAt });
    }
  }
  await unlink(path).catch(() => undefined);
  return true;
}
