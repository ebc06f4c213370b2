import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { remove } from 'fs-extra/esm';
import { join } from 'node:path';
import type { Layout } from './layout.js';
import { isOwnerAlive } from './process-owner.js';
import type { PartStore } from './part-store.js';

export interface RecoveryReport {
  /** The previous owner died holding the lock (crash, SIGKILL) instead of closing the store. */
  readonly previousOwnerDied: boolean;
  /**
   * After such a death the filesystem was synced (`syncfs` via `sync -f`) before serving: the
   * dead process may have renamed files into place without reaching its directory fsync, and
   * this process must not build on entries an OS crash could still take away.
   */
  readonly filesystemSynced: boolean;
  /** Temp files of writes that never finished (parts, records, manifests) whose process is dead. */
  readonly tempFilesRemoved: number;
  /** deleteData calls interrupted by a crash and finished now. */
  readonly deletesFinished: number;
}

const OWNER_OF_TEMP = /^(\d+-\d+)-[0-9a-f]+\.tmp$/;
const JOURNAL_NAME = /^([xh][0-9a-f]*)\.([0-9a-f]{32})$/;

/**
 * Run on open, before any caller gets the store, while other processes may be using the
 * directory. Every publish in FsStore is a single rename, so the only half-finished states
 * are: temp files (never visible; removed here when their owner is dead — a live process's
 * temp files are its writes in progress), deletions journalled in `deleting/` (finished here,
 * under the upload's lock, unless someone is still reading the object) and read leases of
 * dead processes. After an unclean shutdown the filesystem is synced first (see
 * `filesystemSynced`).
 */
export async function recover(layout: Layout, parts: PartStore, options: { readonly previousOwnerDied: boolean; readonly durable: boolean }): Promise<RecoveryReport> {
  const filesystemSynced = options.previousOwnerDied && options.durable && (await syncFilesystem(layout.root));
  let tempFilesRemoved = 0;
  for (const name of await readdir(layout.tmpDir)) {
    // `<pid>-<start>-<random>.tmp`; a name without an owner is from layout 1, whose
    // single owner is gone (sharing.ts refuses a live one).
    const owner = OWNER_OF_TEMP.exec(name)?.[1];
    if (owner !== undefined && isOwnerAlive(owner)) continue;
    await remove(join(layout.tmpDir, name));
    tempFilesRemoved++;
  }
  parts.leases.removeDead();
  let deletesFinished = 0;
  for (const name of await readdir(layout.deletingDir)) {
    const match = JOURNAL_NAME.exec(name);
    if (!match) continue;
    await parts.finishDeleteLocked(match[1] as string, match[2] as string);
    deletesFinished++;
  }
  return { previousOwnerDied: options.previousOwnerDied, filesystemSynced, tempFilesRemoved, deletesFinished };
}

/** syncfs(2) of the filesystem holding `root`, through coreutils `sync -f`; false if unavailable. */
function syncFilesystem(root: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', root], { timeout: 120_000 }, (error) => resolve(error === null));
  });
}
