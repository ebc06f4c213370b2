import { readdir } from 'node:fs/promises';
import { remove } from 'fs-extra/esm';
import { join } from 'node:path';
import type { Layout } from './layout.js';
import type { PartStore } from './part-store.js';

export interface RecoveryReport {
  /** Temp files of writes that never finished (parts, records, manifests). */
  readonly tempFilesRemoved: number;
  /** deleteData calls interrupted by a crash and finished now. */
  readonly deletesFinished: number;
}

const JOURNAL_NAME = /^([xh][0-9a-f]*)\.([0-9a-f]{32})$/;

/**
 * Run on open, under the directory lock, before any caller gets the store. Every publish in
 * FsStore is a single rename, so the only half-finished states are: temp files (never
 * visible; deleted here) and deletions journalled in `deleting/` (finished here).
 */
export async function recover(layout: Layout, parts: PartStore): Promise<RecoveryReport> {
  const temps = await readdir(layout.tmpDir);
  for (const name of temps) await remove(join(layout.tmpDir, name));
  let deletesFinished = 0;
  for (const name of await readdir(layout.deletingDir)) {
    const match = JOURNAL_NAME.exec(name);
    if (!match) continue;
    await parts.finishDelete(match[1] as string, match[2] as string);
    deletesFinished++;
  }
  return { tempFilesRemoved: temps.length, deletesFinished };
}
