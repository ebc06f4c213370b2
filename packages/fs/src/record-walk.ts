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
  readonly label: string; // own label only: siblings share the parent part
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
  // Keep only entries that can hold wanted keys, then sort those: a page deep into a big
  // directory sorts what is left after `startAfter`, not the whole directory.
  const entries: Entry[] = [];
  for (const name of names) {
    const mark = name[0];
    if (mark !== FILE_MARK && mark !== DIR_MARK) continue;
    const isFile = mark === FILE_MARK;
    const label = name.slice(1);
    const hex = parentHex + label;
    // A file must match the prefix; a directory may also be a step on the way to it.
    const inPrefix = hex.startsWith(prefixHex) || (!isFile && prefixHex.startsWith(hex));
    // Everything below a directory is `hex` + more: skip it only when wholly ≤ afterHex.
    const afterStart = afterHex === undefined || hex > afterHex || (!isFile && afterHex.startsWith(hex));
    if (inPrefix && afterStart) entries.push({ name, hex, label, isFile });
  }
  // Siblings by label (the parent part is common); on a tie the file (the shorter key) first.
  entries.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.isFile === b.isFile ? 0 : a.isFile ? -1 : 1));

  let batch: RecordFile[] = [];
  for (const entry of entries) {
    if (entry.isFile) {
      batch.push({ key: keyFromHex(entry.hex), path: join(dir, entry.name) });
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
      continue;
    }
    if (batch.length > 0) yield batch;
    batch = [];
    yield* walk(join(dir, entry.name), entry.hex, prefixHex, afterHex);
  }
  if (batch.length > 0) yield batch;
}
