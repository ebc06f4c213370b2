import { describe } from 'vitest';
import { accessTests } from './engine-access-tests.js';
import { checksumTests } from './engine-checksum-tests.js';
import { concurrencyTests } from './engine-concurrency-tests.js';
import { lifecycleTests } from './engine-lifecycle-tests.js';
import { listingTests } from './engine-listing-tests.js';
import { multipartTests } from './engine-multipart-tests.js';
import { objectTests } from './engine-object-tests.js';
import { validationTests } from './engine-validation-tests.js';
import { versioningTests } from './engine-versioning-tests.js';
import { type EngineHarness, engineLifecycle } from './engine-suite-context.js';
import { gapAwareTest, knownGapsAreReal } from './known-gaps.js';

export type { EngineHarness, EngineLimitsProfile } from './engine-suite-context.js';
export { SMALL_MIN_PART_SIZE } from './engine-suite-context.js';

export interface EngineSuiteOptions {
  /** Known gaps as data: test id → reason. Such tests run and must FAIL (`it.fails`). */
  readonly knownGaps?: Readonly<Record<string, string>>;
}

/**
 * Registers the engine conformance suite: S3 multipart semantics (S3-MULTIPART.md §1–7, §9–11)
 * through the `Engine` interface, over the harness's store. Written from the reference, not
 * from the engine's own tests. Titles start with a stable id (`engine/complete-basic`, …).
 */
export function describeEngine(
  name: string,
  harness: () => EngineHarness | Promise<EngineHarness>,
  options: EngineSuiteOptions = {},
): void {
  const knownGaps = options.knownGaps ?? {};
  describe(`Engine conformance: ${name}`, () => {
    const withEngine = engineLifecycle(harness);
    const registered = new Set<string>();
    const context = { test: gapAwareTest(knownGaps, registered), withEngine };
    describe('multipart', () => multipartTests(context));
    describe('checksums', () => checksumTests(context));
    describe('listing', () => listingTests(context));
    describe('objects', () => objectTests(context));
    describe('validation', () => validationTests(context));
    describe('lifecycle', () => lifecycleTests(context));
    describe('concurrency', () => concurrencyTests(context));
    describe('versioning', () => versioningTests(context));
    describe('access control and tagging', () => accessTests(context));
    knownGapsAreReal(knownGaps, registered);
  });
}
