/**
 * One promise chain per key: callers with the same key run one after another, different keys
 * run concurrently. Single-process backends (fs, level) build record compare-and-swap as
 * "read version, compare, write" under it — sound only because each owns its data directory.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every key.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
