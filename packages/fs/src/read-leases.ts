import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isMissing } from './atomic-write.js';
import { isOwnerAlive, PROCESS_OWNER } from './process-owner.js';

/**
 * Reads in progress, visible to every process sharing the directory: a read of handle
 * (upload, digest) holds the empty file `reading/<upload>.<digest>.<owner>.<random>`.
 *
 * An object overwritten or deleted while a GET streams it must still be delivered whole, but
 * its part files are opened one after another, so deleting them under the reader would cut
 * the body short — whichever process deletes. The protocol (both sides are single file
 * operations, which a local filesystem orders):
 * - reader: create the lease, THEN check the manifest is still live (else UnknownHandle);
 * - deleter: move the manifest into `deleting/`, THEN look for live leases; if any, leave the
 *   journal entry and the parts alone. The last reader to end finishes the delete.
 * Whichever second step runs later sees the other side's first step. A lease whose owner is
 * dead no longer counts (and is removed when seen).
 */
export class ReadLeases {
  constructor(private readonly dir: string) {}

  /** Takes a lease on the handle; returns the function that releases it. */
  take(uploadName: string, digest: string): () => void {
    const path = join(this.dir, `${uploadName}.${digest}.${PROCESS_OWNER}.${randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if (!isMissing(error)) throw error;
      mkdirSync(this.dir, { recursive: true });
      fd = openSync(path, 'wx');
    }
    closeSync(fd);
    return () => {
      try {
        unlinkSync(path);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    };
  }

  /** Whether any live process reads the handle now; dead owners' leases are removed. */
  held(uploadName: string, digest: string): boolean {
    const prefix = `${uploadName}.${digest}.`;
    let held = false;
    for (const name of this.#names()) {
      if (!name.startsWith(prefix)) continue;
      const owner = name.slice(prefix.length).split('.')[0] ?? '';
      if (isOwnerAlive(owner)) held = true;
      else this.#remove(name);
    }
    return held;
  }

  /** Remove every lease whose owner is dead (recovery on open). */
  removeDead(): void {
    for (const name of this.#names()) {
      const owner = name.split('.')[2] ?? '';
      if (!isOwnerAlive(owner)) this.#remove(name);
    }
  }

  #names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  #remove(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
}
