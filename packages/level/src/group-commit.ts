export type WriteOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/** What the queue needs of the database (a `Level` fits; tests pass a fake). */
export interface BatchTarget {
  batch(operations: WriteOp[], options: { sync: boolean }): Promise<void>;
}

/**
 * Group commit for synced writes. Every acknowledged write needs an fsync of LevelDB's log
 * (~0.5 ms here), and classic-level runs each write as its own thread-pool job, so concurrent
 * synced writers barely share fsyncs. This queue does: while one synced batch is in flight,
 * later writes wait and then go together in the next batch — one fsync for the whole group.
 * A lone writer goes straight through, so sequential latency is unchanged.
 */
export class GroupCommit {
  readonly #db: BatchTarget;
  #queue: { readonly ops: readonly WriteOp[]; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  #running = false;

  constructor(db: BatchTarget) {
    this.#db = db;
  }

  /** Resolves once `ops` are applied atomically and synced to disk. */
  write(ops: readonly WriteOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.#db.batch(group.flatMap((entry) => entry.ops.map((op) => ({ ...op }))), { sync: true });
        for (const entry of group) entry.resolve();
      } catch (error) {
        // The batch is atomic: none of the group's writes happened, so each of them failed.
        for (const entry of group) entry.reject(error);
      }
    }
    this.#running = false;
  }
}
