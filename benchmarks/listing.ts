/**
 * Listing suite: ListMultipartUploads against the engine on each backend with 200 and 5,000 open
 * uploads in one bucket: time of the first and the last page (`maxUploads` 100, the last one
 * reached with key + upload-id markers), store calls per page (CountingStore) and records the
 * store's listings yielded per page. A page should cost the same whatever the bucket holds.
 * ListObjectVersions is measured the same way where the build has it (feature-detected).
 */
import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import type { BlobStore, Engine } from '@mpu/core';
import { openBackend, type BackendName } from './lib/backends.js';
import { mapLimit } from './lib/concurrency.js';
import type { SuiteContext } from './lib/context.js';
import { median } from './lib/figures.js';
import { listingCounts } from './lib/profiles.js';
import { countYields } from './lib/yield-counter.js';

const BUCKET = 'listing';
export const VERSIONS_UNAVAILABLE = 'ListObjectVersions is not available in this build';

interface Counted {
  readonly engine: Engine;
  /** Runs `fn` and returns its time, store calls and listed items. */
  measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; calls: number; yielded: number }>;
}

function countedEngine(store: BlobStore): Counted {
  const counting = new CountingStore(store);
  const yields = countYields(counting);
  const engine = new MultipartEngine({ store: yields.store, limits: defineLimits({}) });
  return {
    engine,
    async measure(fn) {
      counting.reset();
      yields.reset();
      const start = performance.now();
      const result = await fn();
      const ms = performance.now() - start;
      const calls = Object.values(counting.snapshot().calls).reduce((a, b) => a + b, 0);
      return { result, ms, calls, yielded: yields.yielded() };
    },
  };
}

const keyOf = (i: number): string => `uploads/${String(i).padStart(7, '0')}`;

interface PageFigures { ms: number[]; calls: number[]; yielded: number[] }
const emptyPage = (): PageFigures => ({ ms: [], calls: [], yielded: [] });

async function measureUploads(ctx: SuiteContext, backend: BackendName, counted: Counted): Promise<void> {
  const l = ctx.profile.listing!;
  const { engine } = counted;
  const uploads: { key: string; uploadId: string }[] = [];
  for (const n of listingCounts(l, backend)) {
    const start = performance.now();
    const indexes = Array.from({ length: n - uploads.length }, (_, i) => uploads.length + i);
    const created = await mapLimit(indexes, l.createInFlight, async (i) => {
      const { uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key: keyOf(i) });
      return { key: keyOf(i), uploadId };
    });
    uploads.push(...created);
    const createSeconds = (performance.now() - start) / 1000;
    // One upload per key, keys in order: the last page starts after the (n − page − 1)-th upload.
    const marker = uploads[n - l.pageSize - 1]!;
    const first = emptyPage();
    const last = emptyPage();
    for (let rep = 0; rep < l.reps; rep++) {
      const a = await counted.measure(() => engine.listMultipartUploads({ bucket: BUCKET, maxUploads: l.pageSize }));
      if (a.result.uploads.length !== l.pageSize || !a.result.isTruncated || a.result.uploads[0]!.key !== keyOf(0)) {
        throw new Error(`${backend}: first page of ${n} uploads listed ${a.result.uploads.length} (truncated ${a.result.isTruncated})`);
      }
      const b = await counted.measure(() => engine.listMultipartUploads({ bucket: BUCKET, maxUploads: l.pageSize, keyMarker: marker.key, uploadIdMarker: marker.uploadId }));
      if (b.result.uploads.length !== l.pageSize || b.result.isTruncated || b.result.uploads.at(-1)!.key !== keyOf(n - 1)) {
        throw new Error(`${backend}: last page of ${n} uploads listed ${b.result.uploads.length} (truncated ${b.result.isTruncated})`);
      }
      for (const [page, m] of [[first, a], [last, b]] as const) {
        page.ms.push(m.ms);
        page.calls.push(m.calls);
        page.yielded.push(m.yielded);
      }
    }
    const params = { backend, uploads: n, pageSize: l.pageSize };
    for (const [name, page] of [['firstPage', first], ['lastPage', last]] as const) {
      const base = `listing.${backend}.uploads.${n}.${name}`;
      const where = name === 'firstPage' ? 'first page' : 'last page (key + upload-id markers)';
      ctx.book.add({ id: `${base}.ms`, suite: 'listing', label: `ListMultipartUploads ${where}, ${n.toLocaleString('en-US')} uploads (${backend})`, unit: 'ms', params }, page.ms);
      ctx.book.add({ id: `${base}.storeCalls`, suite: 'listing', label: `store calls, ListMultipartUploads ${where}, ${n.toLocaleString('en-US')} uploads (${backend})`, unit: 'calls', params }, page.calls);
      ctx.book.add({ id: `${base}.itemsListed`, suite: 'listing', label: `items the store's listings yielded, ListMultipartUploads ${where}, ${n.toLocaleString('en-US')} uploads (${backend})`, unit: 'items', params }, page.yielded);
    }
    ctx.book.add({ id: `listing.${backend}.uploads.${n}.createPerSecond`, suite: 'listing', label: `createMultipartUpload rate while filling the bucket to ${n.toLocaleString('en-US')} (${backend}, ${l.createInFlight} in flight)`, unit: 'ops/s', params },
      [created.length / createSeconds]);
    ctx.progress.line(`listing ${backend} ${n} uploads: first page ${median(first.ms).toFixed(1)} ms (${median(first.calls)} calls, ${median(first.yielded)} items), ` +
      `last page ${median(last.ms).toFixed(1)} ms (${median(last.calls)} calls, ${median(last.yielded)} items); created ${(created.length / createSeconds).toFixed(0)}/s`);
  }
}

/** The engine's ListObjectVersions, where this build has one (another branch adds versioning). */
function hasVersions(engine: Engine): boolean {
  return typeof (engine as unknown as Record<string, unknown>)['listObjectVersions'] === 'function';
}

export async function runListingSuite(ctx: SuiteContext): Promise<void> {
  const l = ctx.profile.listing;
  if (!l) return;
  let versionsNoted = false;
  for (const name of l.backends) {
    const backend = await openBackend(name, ctx.workDir);
    try {
      const counted = countedEngine(backend.store);
      await counted.engine.createBucket(BUCKET);
      await measureUploads(ctx, name, counted);
      if (!versionsNoted) {
        // The versioning branch's API (enabling versioning, putting versions) is not in this
        // build to be called; once merged, the same first/last-page measurement applies.
        ctx.book.note(hasVersions(counted.engine)
          ? 'Listing: this build has `listObjectVersions`, but the listing suite does not measure it yet (it was written before the versioning API it needs); not measured.'
          : `Listing: ${VERSIONS_UNAVAILABLE} (the engine has no \`listObjectVersions\`); its paging figures were not measured.`);
        versionsNoted = true;
      }
    } catch (error) {
      ctx.fail(`listing on ${name}`, error);
    } finally {
      await backend.close();
    }
  }
}
