import { statSync } from 'node:fs';
import { type Stamp, stampOf } from './file-stamp.js';
import { readdir } from 'node:fs/promises';
import { isMissing } from './atomic-write.js';
import { DIR_MARK, FILE_MARK } from './key-paths.js';

/** One entry of a record directory: a record file or a subdirectory, by its hex label. */
export interface DirectoryEntry {
  readonly name: string;
  /** The hex after the mark: this entry's part of the key. */
  readonly label: string;
  readonly isFile: boolean;
}

/**
 * Sorted listings of big record directories, kept until something in them changes. A flat
 * bucket of 100,000 keys is one directory, and every ListObjects page would otherwise read
 * all 100,000 names again (~0.1–0.5 s). Changes made in this process call `changed`; changes
 * made by another process sharing the directory are caught by the directory's stamp
 * (file-stamp.ts), taken before the readdir and compared on every use; a listing is kept only
 * when that stamp was settled. A listing read while an in-process change was in flight is used
 * once but not kept (the `dirty` flag).
 */
interface Kept {
  readonly entries: readonly DirectoryEntry[];
  readonly stamp: string;
}

function directoryStamp(dir: string): Stamp | undefined {
  const stats = statSync(dir, { bigint: true, throwIfNoEntry: false });
  return stats ? stampOf(stats) : undefined;
}

export class DirectoryListings {
  readonly #cached = new Map<string, Kept>();
  readonly #reading = new Map<string, Set<{ dirty: boolean }>>();

  constructor(
    /** Directories with fewer entries are cheap to read and are not kept. */
    private readonly minEntries: number,
    private readonly maxDirectories: number,
  ) {}

  /** The directory's entries sorted by label (a file before a directory with the same label), or undefined when it does not exist. */
  async entries(dir: string): Promise<readonly DirectoryEntry[] | undefined> {
    const cached = this.#cached.get(dir);
    if (cached) {
      this.#cached.delete(dir); // refresh recency, or drop if another process changed it
      if (directoryStamp(dir)?.stamp === cached.stamp) {
        this.#cached.set(dir, cached);
        return cached.entries;
      }
    }
    const before = directoryStamp(dir);
    const token = { dirty: false };
    let readers = this.#reading.get(dir);
    if (!readers) this.#reading.set(dir, (readers = new Set()));
    readers.add(token);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isMissing(error)) return undefined; // never created, or pruned
      throw error;
    } finally {
      readers.delete(token);
      if (readers.size === 0) this.#reading.delete(dir);
    }
    const entries: DirectoryEntry[] = [];
    for (const name of names) {
      const mark = name[0];
      if (mark === FILE_MARK || mark === DIR_MARK) entries.push({ name, label: name.slice(1), isFile: mark === FILE_MARK });
    }
    entries.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.isFile === b.isFile ? 0 : a.isFile ? -1 : 1));
    if (!token.dirty && entries.length >= this.minEntries && before?.settled === true) {
      this.#cached.set(dir, { entries, stamp: before.stamp });
      for (const oldest of this.#cached.keys()) {
        if (this.#cached.size <= this.maxDirectories) break;
        this.#cached.delete(oldest);
      }
    }
    return entries;
  }

  /** The entries of `dir` change (or just changed): forget its listing, spoil reads in flight. */
  changed(dir: string): void {
    this.#cached.delete(dir);
    for (const token of this.#reading.get(dir) ?? []) token.dirty = true;
  }
}
