import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DIR_MARK, FILE_MARK, directoryLabels, keyBytes, keyFromHex } from './key-paths.js';
import { isMissing } from './atomic-write.js';

export interface RecordFile {
  readonly key: string;
  readonly path: string;
}

/** Files handed out per batch: big enough to amortise the async hops, small enough to stream. */
const BATCH = 64;

/**
 * The record files under `recordsDir` whose keys start with `prefix` and sort after
 * `startAfter`, in key-byte order, in batches, one directory at a time (a streaming walk:
 * memory is the current directory listing per level, not the whole store).
 *
 * Works on hex strings: lower-case hex of bytes compares like the bytes (see key-paths.ts).
 */
export async function* walkRecordFiles(
  recordsDir: string,
  prefix: string,
  startAfter: string | undefined,
): AsyncGenerator<readonly RecordFile[]> {
  const prefixBytes = keyBytes(prefix);
  const prefixHex = prefixBytes.toString('hex');
  const afterHex = startAfter === undefined ? undefined : keyBytes(startAfter).toString('hex');
  // Every key with this prefix lives below the prefix's fully determined directories.
  const { labels } = directoryLabels(prefixBytes);
  const start = join(recordsDir, ...labels.map((label) => DIR_MARK + label));
  yield* walk(start, labels.join(''), prefixHex, afterHex);
}

interface Entry {
  readonly name: string;
  readonly hex: string; // this entry's full key hex (parents + own label)
  readonly isFile: boolean;
}

async function* walk(
  dir: string,
  parentHex: string,
  prefixHex: string,
  afterHex: string | undefined,
): AsyncGenerator<readonly RecordFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return; // never created, or pruned while we walked
    throw error;
  }
  const entries: Entry[] = [];
  for (const name of names) {
    const mark = name[0];
    if (mark !== FILE_MARK && mark !== DIR_MARK) continue;
    entries.push({ name, hex: parentHex + name.slice(1), isFile: mark === FILE_MARK });
  }
  // Siblings by label; on a tie the file (the shorter key) first.
  entries.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : a.isFile === b.isFile ? 0 : a.isFile ? -1 : 1));

  let batch: RecordFile[] = [];
  for (const entry of entries) {
    const { hex } = entry;
    let descend = false;
    if (!hex.startsWith(prefixHex)) {
      if (entry.isFile || !prefixHex.startsWith(hex)) {
        if (hex > prefixHex) break; // sorted: nothing later can match
        continue;
      }
      // A directory whose path is a prefix of the wanted prefix may still hold matches.
      descend = !(afterHex !== undefined && hex < afterHex && !afterHex.startsWith(hex));
    } else if (entry.isFile) {
      if (afterHex === undefined || hex > afterHex) {
        batch.push({ key: keyFromHex(hex), path: join(dir, entry.name) });
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
    } else {
      // Everything below is `hex` + more, so the subtree is skipped only when it is wholly ≤ afterHex.
      descend = afterHex === undefined || hex > afterHex || afterHex.startsWith(hex);
    }
    if (descend) {
      if (batch.length > 0) yield batch;
      batch = [];
      yield* walk(join(dir, entry.name), hex, prefixHex, afterHex);
    }
  }
  if (batch.length > 0) yield batch;
}
