import { expect, it } from 'vitest';
import { mapLimit } from '../src/concurrency.js';

it('mapLimit keeps order, bounds concurrency, and settles in-flight calls before throwing', async () => {
  let active = 0;
  let peak = 0;
  const settled: number[] = [];
  const results = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    peak = Math.max(peak, ++active);
    await new Promise((resolve) => setTimeout(resolve, 10 - n));
    active--;
    return n * 2;
  });
  expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
  expect(peak).toBe(3);
  const failing = mapLimit([0, 1, 2, 3, 4, 5], 3, async (n) => {
    if (n === 0) throw new Error('first fails');
    await new Promise((resolve) => setTimeout(resolve, 20));
    settled.push(n);
    return n;
  });
  await expect(failing).rejects.toThrow('first fails');
  // 1 and 2 were in flight when 0 failed: they finished before the rejection; nothing new started.
  expect(settled.sort()).toEqual([1, 2]);
});
