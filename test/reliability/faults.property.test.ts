import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BlobStore, FAULTABLE_METHODS, type FaultRates, type FaultableMethod, FaultyStore, type FaultyStoreOptions, MemoryStore, MultipartEngine,
  defineLimits, withRetry,
} from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { TempDirs } from './helpers/bytes.js';
import { BUCKET, type Harness, KEYS, Model, type Op, checkAll, step } from './helpers/fault-model.js';

/**
 * Random operation sequences with random store faults (fail before / after the call, delays,
 * cut streams) over the engine on MemoryStore and on FsStore. After every step, with faults
 * off: a failed operation shows only the old or the new state, never a partial one; running
 * it again (recovery) succeeds with the same ETag as a clean run; and everything a client was
 * ever acknowledged — parts, objects, listings — is exact.
 */

const LIMITS = defineLimits({
  name: 'faults', maxPartNumber: 4, minPartSize: 4, maxPartSize: 32, maxObjectSize: 1000, maxPutObjectSize: 64, maxListPage: 1000,
});

const data = fc.uint8Array({ minLength: 4, maxLength: 16 });
const keyIndex = fc.nat(KEYS.length - 1);
const uploadIndex = fc.nat(7);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('create' as const), key: keyIndex }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('upload' as const), upload: uploadIndex, part: fc.integer({ min: 1, max: 4 }), data }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('complete' as const), upload: uploadIndex, mask: fc.nat(15) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('abort' as const), upload: uploadIndex }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyIndex, data }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), key: keyIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('list' as const) }) },
);

const STREAMS: readonly FaultableMethod[] = ['writePart', 'read', 'listRecords'];

function ratesFor(rate: number): Partial<Record<FaultableMethod, FaultRates>> {
  return Object.fromEntries(FAULTABLE_METHODS.map((method) => [
    method,
    { fail: rate, delay: rate, ...(STREAMS.includes(method) ? { cut: rate / 2 } : {}) },
  ]));
}

interface Totals { runs: number; steps: number; faultedSteps: number; injected: number }

interface Stack {
  readonly randomErrors?: FaultyStoreOptions['randomErrors'];
  /** What the engine runs on, given the faulty store (e.g. `withRetry` over it). */
  readonly wrap?: (store: FaultyStore) => BlobStore;
}

async function runSequence(inner: BlobStore, seed: number, rate: number, ops: readonly Op[], totals: Totals, stack: Stack = {}): Promise<void> {
  const store = new FaultyStore(inner, {
    seed, rates: ratesFor(rate), paused: true, maxDelayMs: 2, maxCutAfter: 24, ...(stack.randomErrors ? { randomErrors: stack.randomErrors } : {}),
  });
  const engine = new MultipartEngine({ store: stack.wrap ? stack.wrap(store) : store, limits: LIMITS });
  await engine.createBucket(BUCKET);
  const h: Harness = { engine, store, model: new Model() };
  totals.runs++;
  for (const op of ops) {
    const outcome = await step(h, op);
    if (outcome === 'skipped') continue;
    totals.steps++;
    if (outcome === 'faulted') totals.faultedSteps++;
    await checkAll(h);
  }
  totals.injected += store.injected.length;
}

const scenario = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  rate: fc.constantFrom(0.03, 0.1, 0.25),
  // Starting with an upload makes most generated part operations land on a live one.
  ops: fc.tuple(keyIndex, fc.array(opArb, { minLength: 1, maxLength: 30 })).map(([key, rest]): Op[] => [{ op: 'create', key }, ...rest]),
});

describe('random operations under random store faults', () => {
  const temps = new TempDirs();
  afterAll(() => temps.removeAll());

  it('MemoryStore: nothing acknowledged lost, nothing partial visible, recovery idempotent', async () => {
    const totals: Totals = { runs: 0, steps: 0, faultedSteps: 0, injected: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ seed, rate, ops }) => runSequence(new MemoryStore(), seed, rate, ops, totals)),
      { numRuns: Number(process.env.FAULTS_RUNS ?? 600), seed: Number(process.env.FAULTS_SEED ?? Date.now() % 0x7fffffff) },
    );
    // The property must have exercised failures, not just clean runs.
    expect(totals.faultedSteps).toBeGreaterThan(totals.runs / 2);
    console.info('faults/memory', totals);
  });

  it('withRetry over MemoryStore, transient faults only (how azure and gcs run): lost answers are retried safely', async () => {
    const totals: Totals = { runs: 0, steps: 0, faultedSteps: 0, injected: 0 };
    const stack: Stack = { randomErrors: 'transient', wrap: (store) => withRetry(store, { retries: 3, sleep: async () => undefined }) };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ seed, rate, ops }) => runSequence(new MemoryStore(), seed, rate, ops, totals, stack)),
      { numRuns: Number(process.env.FAULTS_RUNS ?? 600), seed: Number(process.env.FAULTS_SEED ?? Date.now() % 0x7fffffff) },
    );
    expect(totals.injected).toBeGreaterThan(totals.runs);
    console.info('faults/memory+withRetry', totals);
  });

  it('FsStore: nothing acknowledged lost, nothing partial visible, recovery idempotent', async () => {
    const totals: Totals = { runs: 0, steps: 0, faultedSteps: 0, injected: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ seed, rate, ops }) => {
        const root = await temps.make('faults');
        // fsync off: these faults are logical (lost answers, broken streams), not power cuts,
        // which packages/fs/test/crash.test.ts covers.
        const inner = await FsStore.open({ root, fsync: false });
        try {
          await runSequence(inner, seed, rate, ops, totals);
        } finally {
          await inner.close();
          await temps.remove(root);
        }
      }),
      { numRuns: Number(process.env.FAULTS_RUNS_FS ?? 200), seed: Number(process.env.FAULTS_SEED ?? Date.now() % 0x7fffffff) },
    );
    expect(totals.faultedSteps).toBeGreaterThan(totals.runs / 2);
    console.info('faults/fs', totals);
  });
});
