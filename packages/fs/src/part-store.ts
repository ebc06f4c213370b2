import { existsSync, statSync } from 'node:fs';
import { open, readFile, readdir, rename, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteRange, DataHandle, PartRef, WritePartOptions } from '@mpu/core';
import { MissingPartError, RangeOutOfBoundsError, UnknownHandleError } from '@mpu/core';
import { fsyncDirectory, isMissing, renameIntoPlace, tempPath, unlinkIfPresent, writeFileAtomic } from './atomic-write.js';
import { mapLimit } from './concurrency.js';
import { FileLocks } from './file-locks.js';
import { ID_NAME_PATTERN, idName } from './key-paths.js';
import { deletingPath, manifestsDir, partsDir, uploadDir } from './layout.js';
import type { Layout } from './layout.js';
import type { Manifest } from './manifest.js';
import { decodeManifest, encodeManifest, formatHandle, manifestDigest, parseHandle } from './manifest.js';
import { readPartFile } from './part-file-reader.js';
import { streamIntoFile } from './part-file-writer.js';
import { ReadLeases } from './read-leases.js';

const STAT_BATCH = 256;
const UNLINK_CONCURRENCY = 32;
const MANIFEST_CACHE_ENTRIES = 32;
const MANIFEST_NAME = /^[0-9a-f]{32}$/;

/** A parsed manifest with each part's starting offset, for binary search by range start. */
interface LoadedManifest {
  readonly manifest: Manifest;
  readonly offsets: readonly number[];
}

/**
 * Part data as files: `writePart` streams to a temp file and renames it into the upload's
 * `parts/` directory; `assemble` writes a manifest naming those files (zero bytes copied);
 * `read` streams them in order. Operations that look at an upload's manifests (assemble,
 * discard, deleteData) run under a per-upload lock shared by every process (file-locks.ts)
 * so a discard can never delete a part that an assemble is about to reference. Reads hold a
 * lease (read-leases.ts) that defers the deletion of the data they stream.
 */
export class PartStore {
  readonly #uploadLocks: FileLocks;
  readonly #leases: ReadLeases;
  /** Parsed manifests: immutable (the digest names the content), so safe to keep across processes. */
  readonly #manifestCache = new Map<DataHandle, LoadedManifest>();
  /** Deletes the last reader of an object started (close waits for them). */
  readonly #background = new Set<Promise<void>>();

  constructor(
    private readonly layout: Layout,
    private readonly durable: boolean,
    private readonly maxPartSize: number,
  ) {
    this.#uploadLocks = new FileLocks(layout.locksDir);
    this.#leases = new ReadLeases(layout.readingDir);
  }

  get leases(): ReadLeases {
    return this.#leases;
  }

  async writePart(upload: string, partId: string, body: AsyncIterable<Uint8Array>, options: WritePartOptions): Promise<{ readonly size: number }> {
    options.signal?.throwIfAborted();
    const temp = tempPath(this.layout.tmpDir);
    const handle = await open(temp, 'wx');
    let size: number;
    try {
      try {
        size = await streamIntoFile(handle, body, { partId, maxPartSize: this.maxPartSize, signal: options.signal });
        if (this.durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await renameIntoPlace(temp, join(partsDir(this.layout, idName(upload)), idName(partId)), this.durable);
    } catch (error) {
      await unlinkIfPresent(temp).catch(() => undefined);
      throw error;
    }
    return { size };
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    const uploadName = idName(upload);
    const entries = parts.map(({ partId, size }) => [idName(partId), size] as const);
    return this.#uploadLocks.run(`upload:${uploadName}`, async () => {
      const dir = partsDir(this.layout, uploadName);
      await verifySizes(dir, upload, parts, entries);
      const digest = manifestDigest(entries);
      const path = join(manifestsDir(this.layout, uploadName), digest);
      // Same parts, same digest: a retried assemble finds its manifest already published.
      if ((await fileSize(path)) === undefined) {
        const manifest: Manifest = { format: 1, upload, size: entries.reduce((sum, [, n]) => sum + n, 0), parts: entries };
        await writeFileAtomic(this.layout.tmpDir, path, encodeManifest(manifest), this.durable);
      } else if (this.durable) {
        // The first attempt may have died between its rename and its directory fsync.
        await fsyncDirectory(manifestsDir(this.layout, uploadName));
      }
      return formatHandle(uploadName, digest);
    });
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const { uploadName, digest } = parseHandle(handle);
    const release = this.#leases.take(uploadName, digest);
    try {
      // After the lease, never before (see read-leases.ts): a live manifest now means no
      // deleter can remove these parts until the lease is gone.
      if (!existsSync(join(manifestsDir(this.layout, uploadName), digest))) throw new UnknownHandleError(handle);
      yield* this.#readParts(handle, range);
    } finally {
      release();
      // The last reader finishes a delete that waited for it. A crash before this runs leaves
      // the journal entry, which the next open (or the next reader's end) finishes.
      if (existsSync(deletingPath(this.layout, uploadName, digest))) {
        const finishing = this.finishDeleteLocked(uploadName, digest).catch(() => undefined);
        this.#background.add(finishing);
        void finishing.then(() => this.#background.delete(finishing));
      }
    }
  }

  async *#readParts(handle: DataHandle, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const { manifest, offsets } = await this.#load(handle);
    const { start, end } = range ?? { start: 0, end: manifest.size - 1 };
    if (range && !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end < manifest.size)) {
      throw new RangeOutOfBoundsError(handle, range, manifest.size);
    }
    const { uploadName } = parseHandle(handle);
    const dir = partsDir(this.layout, uploadName);
    for (let index = partContaining(offsets, start); index < manifest.parts.length; index++) {
      const [name, size] = manifest.parts[index] as readonly [string, number];
      const partStart = offsets[index] as number;
      if (partStart > end) return;
      if (size === 0) continue;
      const from = Math.max(start - partStart, 0);
      const to = Math.min(end - partStart, size - 1);
      try {
        yield* readPartFile(join(dir, name), from, to);
      } catch (error) {
        if (isMissing(error)) throw new UnknownHandleError(handle);
        throw error;
      }
    }
  }

  async discard(upload: string, partIds: readonly string[] | undefined): Promise<void> {
    const uploadName = idName(upload);
    await this.#uploadLocks.run(`upload:${uploadName}`, async () => {
      const dir = partsDir(this.layout, uploadName);
      const referenced = await this.#referencedParts(uploadName);
      // Parts an assembled object uses stay, even when named: their bytes are that object.
      const names = partIds ? partIds.map(idName) : (await listNames(dir)).filter((name) => ID_NAME_PATTERN.test(name));
      await mapLimit(names.filter((name) => !referenced.has(name)), UNLINK_CONCURRENCY, (name) => unlinkIfPresent(join(dir, name)));
      await this.#removeUploadDirIfEmpty(uploadName);
    });
  }

  async deleteData(handle: DataHandle): Promise<void> {
    let parsed;
    try {
      parsed = parseHandle(handle);
    } catch {
      return; // never issued by this store: nothing to delete
    }
    const { uploadName, digest } = parsed;
    this.#manifestCache.delete(handle);
    await this.finishDeleteLocked(uploadName, digest);
  }

  /** Resolves when no delete started by a finished reader is pending. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /** finishDelete under the upload's lock (recovery, deleteData, the last reader). */
  finishDeleteLocked(uploadName: string, digest: string): Promise<void> {
    return this.#uploadLocks.run(`upload:${uploadName}`, () => this.finishDelete(uploadName, digest));
  }

  /**
   * Delete one manifest and the parts only it used, crash-safely: the manifest is first
   * renamed into `deleting/` (so the handle stops resolving at once), then parts go, then the
   * journal entry. While any process reads the handle, the journal entry stays and the
   * parts with it (the last reader calls this again). Recovery on open calls this again for
   * every journal entry left behind.
   */
  private async finishDelete(uploadName: string, digest: string): Promise<void> {
    const live = join(manifestsDir(this.layout, uploadName), digest);
    const journal = deletingPath(this.layout, uploadName, digest);
    try {
      await rename(live, journal);
      if (this.durable) {
        await fsyncDirectory(this.layout.deletingDir);
        await fsyncDirectory(manifestsDir(this.layout, uploadName));
      }
    } catch (error) {
      if (!isMissing(error)) throw error; // absent: already deleted, or a journal from a crash
    }
    if (this.#leases.held(uploadName, digest)) return;
    let manifest: Manifest;
    try {
      manifest = decodeManifest(journal, await readFile(journal));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const referenced = await this.#referencedParts(uploadName);
    const dir = partsDir(this.layout, uploadName);
    const doomed = [...new Set(manifest.parts.map(([name]) => name))].filter((name) => !referenced.has(name));
    await mapLimit(doomed, UNLINK_CONCURRENCY, (name) => unlinkIfPresent(join(dir, name)));
    await unlinkIfPresent(journal);
    await this.#removeUploadDirIfEmpty(uploadName);
  }

  async #load(handle: DataHandle): Promise<LoadedManifest> {
    const cached = this.#manifestCache.get(handle);
    if (cached) return cached;
    const { uploadName, digest } = parseHandle(handle);
    const path = join(manifestsDir(this.layout, uploadName), digest);
    // A reader holding a lease may find the manifest already moved into `deleting/` (by a
    // delete that now waits for it): same immutable content.
    const bytes = (await readIfPresent(path)) ?? (await readIfPresent(deletingPath(this.layout, uploadName, digest)));
    if (bytes === undefined) throw new UnknownHandleError(handle);
    const manifest = decodeManifest(path, bytes);
    const offsets: number[] = [];
    let offset = 0;
    for (const [, size] of manifest.parts) {
      offsets.push(offset);
      offset += size;
    }
    const loaded = { manifest, offsets };
    if (this.#manifestCache.size >= MANIFEST_CACHE_ENTRIES) {
      const oldest = this.#manifestCache.keys().next().value;
      if (oldest !== undefined) this.#manifestCache.delete(oldest);
    }
    this.#manifestCache.set(handle, loaded);
    return loaded;
  }

  /** Part names used by any live manifest of the upload, or by a deleted one still being read. */
  async #referencedParts(uploadName: string): Promise<Set<string>> {
    const dir = manifestsDir(this.layout, uploadName);
    const referenced = new Set<string>();
    const paths = (await listNames(dir)).filter((name) => MANIFEST_NAME.test(name)).map((name) => join(dir, name));
    for (const name of await listNames(this.layout.deletingDir)) {
      const digest = name.slice(uploadName.length + 1);
      if (name.startsWith(`${uploadName}.`) && MANIFEST_NAME.test(digest) && this.#leases.held(uploadName, digest)) {
        paths.push(join(this.layout.deletingDir, name));
      }
    }
    for (const path of paths) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if (isMissing(error)) continue;
        throw error;
      }
      for (const [part] of decodeManifest(path, bytes).parts) referenced.add(part);
    }
    return referenced;
  }

  async #removeUploadDirIfEmpty(uploadName: string): Promise<void> {
    for (const dir of [partsDir(this.layout, uploadName), manifestsDir(this.layout, uploadName), uploadDir(this.layout, uploadName)]) {
      await rmdir(dir).catch(() => undefined); // ENOTEMPTY / ENOENT: keep going, nothing to do
    }
  }
}

/**
 * Every listed part file exists with the listed size. Synchronous stats in batches, yielding
 * to the event loop between batches: 10,000 async stats cost ~4x more in thread-pool hops
 * than the syscalls themselves, and this is on the Complete path.
 */
async function verifySizes(dir: string, upload: string, parts: readonly PartRef[], entries: readonly (readonly [string, number])[]): Promise<void> {
  for (let index = 0; index < parts.length; index++) {
    if (index > 0 && index % STAT_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    const { partId, size } = parts[index] as PartRef;
    const actual = statSync(join(dir, (entries[index] as readonly [string, number])[0]), { throwIfNoEntry: false })?.size;
    if (actual !== size) throw new MissingPartError(upload, partId, size, actual);
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Index of the part holding byte `position` (the last part whose start ≤ position). */
function partContaining(offsets: readonly number[], position: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((offsets[middle] as number) <= position) low = middle;
    else high = middle - 1;
  }
  return Math.max(low, 0);
}

