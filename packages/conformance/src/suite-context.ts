import type { BlobStore } from '@mpu/core';
import { afterAll, beforeAll } from 'vitest';

export interface BlobStoreHarness {
  /** A fresh, empty store for one test (unique namespace / directory / prefix). */
  open(): Promise<BlobStore>;
  /** Close `store` and open the same data again (durable backends). */
  reopen?(store: BlobStore): Promise<BlobStore>;
  cleanup?(): Promise<void>;
}

/** One test's store, which a durability test may swap for its reopened self. */
export interface StoreSession {
  readonly store: BlobStore;
  /** Whether the harness can reopen (durable backends must). */
  readonly canReopen: boolean;
  /** Close and reopen the same data; returns the new store (also `session.store`). */
  reopen(): Promise<BlobStore>;
}

export type TestRegistrar = (id: string, title: string, body: () => Promise<void>, timeout?: number) => void;

export interface SuiteContext {
  readonly test: TestRegistrar;
  /** Runs `fn` with a fresh store and always closes it afterwards. */
  withStore<T>(fn: (session: StoreSession) => Promise<T>): Promise<T>;
}

/** Resolves the harness once per suite and hands out per-test stores. */
export function harnessLifecycle(
  factory: () => BlobStoreHarness | Promise<BlobStoreHarness>,
): SuiteContext['withStore'] {
  let harness: BlobStoreHarness | undefined;
  beforeAll(async () => {
    harness = await factory();
  });
  afterAll(async () => {
    await harness?.cleanup?.();
  });
  return async (fn) => {
    if (!harness) throw new Error('conformance harness was not initialised');
    const h = harness;
    let store = await h.open();
    const session: StoreSession = {
      get store() {
        return store;
      },
      canReopen: h.reopen !== undefined,
      async reopen() {
        if (!h.reopen) throw new Error('harness has no reopen()');
        store = await h.reopen(store);
        return store;
      },
    };
    try {
      return await fn(session);
    } finally {
      await store.close();
    }
  };
}
