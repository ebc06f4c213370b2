/** Run `task` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Map an async sequence with up to `window` calls of `task` in flight, yielding results in
 * source order. Listing uses it to read the next record files while the caller consumes the
 * current one. Results that are `undefined` (a record deleted meanwhile) are skipped.
 */
export async function* readAhead<T, R>(
  source: AsyncIterable<T>,
  window: number,
  task: (item: T) => Promise<R | undefined>,
): AsyncGenerator<R> {
  const pending: Promise<R | undefined>[] = [];
  const iterator = source[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    while (true) {
      while (!exhausted && pending.length < window) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const promise = task(step.value);
        promise.catch(() => undefined); // observed below; avoid an unhandled rejection if we stop early
        pending.push(promise);
      }
      const head = pending.shift();
      if (head === undefined) return;
      const result = await head;
      if (result !== undefined) yield result;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
