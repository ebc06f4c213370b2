import type { BlobStore } from '@mpu/core';

/**
 * Counts the items every listing method of a store yields (listRecords, and whatever key-only
 * listing a build adds), so a benchmark can tell a page read from a whole-bucket scan: the number
 * of calls alone (CountingStore) is the same for both. Methods are called on the store itself
 * (its private fields stay reachable); results that are not async iterables pass through.
 */
export function countYields(store: BlobStore): { store: BlobStore; yielded(): number; reset(): void } {
  let yielded = 0;
  const wrap = <T>(iterable: AsyncIterable<T>): AsyncIterable<T> => ({
    async *[Symbol.asyncIterator]() {
      for await (const item of iterable) {
        yielded++;
        yield item;
      }
    },
  });
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        const isIterable = typeof result === 'object' && result !== null && Symbol.asyncIterator in result && !(result instanceof Promise);
        return isIterable ? wrap(result as AsyncIterable<unknown>) : result;
      };
    },
  });
  return { store: proxy, yielded: () => yielded, reset: () => { yielded = 0; } };
}
