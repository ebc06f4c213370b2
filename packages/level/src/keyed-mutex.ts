/**
 * Serialises async critical sections per key. LevelDB has no compare-and-swap, so a record
 * CAS is read → check → write under this lock; the database lock guarantees no other process
 * writes, so an in-process lock is enough for exactly one winner.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    this.#tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      // Forget the key once nobody is queued behind us, so the map does not grow forever.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
