import { join } from 'node:path';
import type { DirectoryListings } from './directory-listings.js';
import { DIR_MARK, directoryLabels, keyBytes, keyFromHex } from './key-paths.js';

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
  listings: DirectoryListings,
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
  yield* walk(listings, start, labels.join(''), prefixHex, afterHex);
}

/**
 * What a directory at `parentHex` asks of its entries' labels for a bound `bound` (the
 * prefix, or startAfter): nothing (`all`), nothing at all (`none`), or a comparison with the
 * part of the bound below this directory (`rest`).
 */
type Bound = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'rest'; readonly rest: string };

function prefixBound(parentHex: string, prefixHex: string): Bound {
  if (parentHex.startsWith(prefixHex)) return { kind: 'all' };
  if (prefixHex.startsWith(parentHex)) return { kind: 'rest', rest: prefixHex.slice(parentHex.length) };
  return { kind: 'none' };
}

function afterBound(parentHex: string, afterHex: string | undefined): Bound {
  if (afterHex === undefined) return { kind: 'all' };
  if (afterHex.startsWith(parentHex)) return { kind: 'rest', rest: afterHex.slice(parentHex.length) };
  // Diverged: every key below is greater (or, if parentHex < afterHex, smaller) than afterHex.
  return parentHex > afterHex ? { kind: 'all' } : { kind: 'none' };
}

async function* walk(
  listings: DirectoryListings,
  dir: string,
  parentHex: string,
  prefixHex: string,
  afterHex: string | undefined,
): AsyncGenerator<readonly RecordFile[]> {
  const prefix = prefixBound(parentHex, prefixHex);
  const after = afterBound(parentHex, afterHex);
  if (prefix.kind === 'none' || after.kind === 'none') return;
  const entries = await listings.entries(dir);
  if (!entries) return;

  let batch: RecordFile[] = [];
  for (const { name, label, isFile } of entries) {
    // A file must match the prefix; a directory may also be a step on the way to it.
    if (prefix.kind === 'rest' && !label.startsWith(prefix.rest) && (isFile || !prefix.rest.startsWith(label))) {
      if (label > prefix.rest) break; // sorted: nothing later can match
      continue;
    }
    // Everything below a directory is its label + more: skip it only when wholly ≤ startAfter.
    if (after.kind === 'rest' && !(label > after.rest || (!isFile && after.rest.startsWith(label)))) continue;
    const hex = parentHex + label;
    if (isFile) {
      batch.push({ key: keyFromHex(hex), path: join(dir, name) });
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
      continue;
    }
    if (batch.length > 0) yield batch;
    batch = [];
    yield* walk(listings, join(dir, name), hex, prefixHex, afterHex);
  }
  if (batch.length > 0) yield batch;
}
