import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { remove } from 'fs-extra/esm';
import { join } from 'node:path';
import type { Layout } from './layout.js';
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
  /** Temp files of writes that never finished (parts, records, manifests). */
  readonly tempFilesRemoved: number;
  /** deleteData calls interrupted by a crash and finished now. */
  readonly deletesFinished: number;
}

const JOURNAL_NAME = /^([xh][0-9a-f]*)\.([0-9a-f]{32})$/;

/**
 * Run on open, under the directory lock, before any caller gets the store. Every publish in
 * FsStore is a single rename, so the only half-finished states are: temp files (never
 * visible; deleted here) and deletions journalled in `deleting/` (finished here). After an
 * unclean shutdown the filesystem is synced first (see `filesystemSynced`).
 */
export async function recover(layout: Layout, parts: PartStore, options: { readonly previousOwnerDied: boolean; readonly durable: boolean }): Promise<RecoveryReport> {
  const filesystemSynced = options.previousOwnerDied && options.durable && (await syncFilesystem(layout.root));
  const temps = await readdir(layout.tmpDir);
  for (const name of temps) await remove(join(layout.tmpDir, name));
  let deletesFinished = 0;
  for (const name of await readdir(layout.deletingDir)) {
    const match = JOURNAL_NAME.exec(name);
    if (!match) continue;
    await parts.finishDelete(match[1] as string, match[2] as string);
    deletesFinished++;
  }
  return { previousOwnerDied: options.previousOwnerDied, filesystemSynced, tempFilesRemoved: temps.length, deletesFinished };
}

/** syncfs(2) of the filesystem holding `root`, through coreutils `sync -f`; false if unavailable. */
function syncFilesystem(root: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', root], { timeout: 120_000 }, (error) => resolve(error === null));
  });
}
