import type { BigIntStats } from 'node:fs';

/**
 * What a process remembers about a file or directory that another process may change: its
 * inode, ctime (ns) and size. Every record write publishes a new inode by rename, and every
 * directory change updates the directory's ctime, so a different stamp means "changed".
 *
 * The converse ("same stamp, so unchanged") needs care: kernel timestamps are coarse (one
 * clock tick, a few ms) and inode numbers are reused. So a stamp is trusted only if it was
 * SETTLED_MS old when taken: any later change happens after the stamp was taken, gets a
 * later ctime, and so a different stamp. (A changed record lands on a new inode allocated
 * after the old one was read; even if that number was once used, its ctime is newer.)
 * Assumes a wall clock that does not step back by more than SETTLED_MS.
 */
export const SETTLED_MS = 1_000;

export interface Stamp {
  readonly stamp: string;
  /** Old enough to be trusted later (see above). */
  readonly settled: boolean;
}

export function stampOf(stats: BigIntStats): Stamp {
  return {
    stamp: `${stats.ino}:${stats.ctimeNs}:${stats.size}`,
    settled: Date.now() - Number(stats.ctimeMs) > SETTLED_MS,
  };
}
