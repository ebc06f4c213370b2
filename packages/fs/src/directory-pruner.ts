import { rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Removes record directories that deletes left empty, in the background and coalesced: the
 * engine deletes an upload's 10,000 part records one by one after Complete, and trying
 * `rmdir` after each would double the cost of every delete for one useful call at the end.
 * A writer that loses its directory to a prune recreates it (renameIntoPlace retries).
 */
export class DirectoryPruner {
  readonly #pending = new Set<string>();
  #draining: Promise<void> | undefined;
  #last: string | undefined;

  constructor(
    private readonly stopAt: string,
    /** Told about every directory removed (listings of it and its parent are now stale). */
    private readonly onRemoved: (dir: string) => void = () => undefined,
  ) {}

  /** Try to remove `dir` (and then its parents) once the current burst of deletes is over. */
  schedule(dir: string): void {
    // A burst of deletes hits one directory: while it is still pending, skip re-hashing the
    // same long path into the set each time.
    if (dir === this.#last) return;
    this.#last = dir;
    this.#pending.add(dir);
    this.#draining ??= this.#drain();
  }

  /** Resolves when nothing is pending (close waits for it). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      for (const dir of this.#pending) {
        this.#pending.delete(dir);
        if (dir === this.#last) this.#last = undefined; // no longer pending: the next delete re-schedules
        await this.#climb(dir);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #climb(start: string): Promise<void> {
    for (let dir = start; dir.length > this.stopAt.length; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): its parents are not empty either
      }
      this.onRemoved(dir);
    }
  }
}
