import { describe } from 'vitest';
import { durabilityTests } from './blob-store-durability-tests.js';
import { partTests } from './blob-store-part-tests.js';
import { recordTests } from './blob-store-record-tests.js';
import { gapAwareTest, knownGapsAreReal } from './known-gaps.js';
import { type BlobStoreHarness, harnessLifecycle } from './suite-context.js';

export type { BlobStoreHarness } from './suite-context.js';

export interface BlobStoreSuiteOptions {
  /**
   * Emulator/backend gaps declared as data: test id → reason. Such tests run and are
   * asserted to FAIL (an expected failure), so a gap that gets fixed is noticed.
   */
  readonly knownGaps?: Readonly<Record<string, string>>;
  /** Size of the large streamed part (generated chunks, never materialised). Default 64 MiB. */
  readonly largePartBytes?: number;
  /** Part count of the many-parts assembly. Default 1000. */
  readonly manyParts?: number;
}

/**
 * Registers the BlobStore conformance suite (DESIGN.md §3) as vitest `describe`/`it` blocks.
 * Every test opens a fresh store from the harness and closes it afterwards. Test titles start
 * with their stable id (`records/cas-if-absent`, …), the keys of `knownGaps`.
 */
export function describeBlobStore(
  name: string,
  harness: () => BlobStoreHarness | Promise<BlobStoreHarness>,
  options: BlobStoreSuiteOptions = {},
): void {
  const knownGaps = options.knownGaps ?? {};
  describe(`BlobStore conformance: ${name}`, () => {
    const withStore = harnessLifecycle(harness);
    const registered = new Set<string>();
    const test = gapAwareTest(knownGaps, registered);
    const context = { test, withStore };
    describe('records', () => recordTests(context));
    describe('part data', () =>
      partTests(context, {
        largePartBytes: options.largePartBytes ?? 64 * 1024 * 1024,
        manyParts: options.manyParts ?? 1000,
      }));
    describe('capabilities and durability', () => durabilityTests(context));
    knownGapsAreReal(knownGaps, registered);
  });
}
