import type { ChecksumAlgorithm } from '@mpu/core';
import type { BackendName } from './backends.js';
import { GiB, MiB, sizeLabel } from './figures.js';

export type ProfileName = 'smoke' | 'quick' | 'full';

export interface AssemblyCase {
  readonly objectBytes: number;
  readonly partBytes: number;
  readonly reps: number;
  readonly backends: readonly BackendName[];
  /** Read the assembled object back (default true); off where the profile cannot afford it. */
  readonly readBack?: boolean;
  /** Run the `cat` baselines for this object/part-size pair (default true). */
  readonly baseline?: boolean;
}

export interface ObjectShape {
  readonly objectBytes: number;
  readonly partBytes: number;
}

export interface Profile {
  readonly name: ProfileName;
  readonly assembly: {
    readonly backends: readonly BackendName[];
    readonly cases: readonly AssemblyCase[];
    /**
     * The flatness pair: two objects with the same part count, `large` many times the bytes of
     * `small`; `largeFor` overrides `large` on backends where the profile cannot afford it.
     */
    readonly flatness: {
      readonly small: ObjectShape;
      readonly large: ObjectShape;
      readonly largeFor?: Readonly<Partial<Record<BackendName, ObjectShape>>>;
    };
    readonly tinyParts: {
      readonly count: number;
      readonly partBytes: number;
      readonly reps: Readonly<Partial<Record<BackendName, number>>>;
      /** Fewer parts on backends where staging `count` parts does not fit the profile's time. */
      readonly countFor?: Readonly<Partial<Record<BackendName, number>>>;
    };
    /** Repetitions of each `cat` baseline. */
    readonly catReps: number;
  };
  readonly ingest: {
    readonly partBytes: number;
    readonly partsPerIteration: number;
    readonly iterations: number;
    readonly inFlight: readonly number[];
    /** undefined: MD5 only (every part gets MD5). */
    readonly checksums: readonly (ChecksumAlgorithm | undefined)[];
    /** In-flight counts the extra checksums run at (default every `inFlight`); MD5 only always runs at all. */
    readonly checksumsInFlight?: readonly number[];
  };
  readonly endToEnd: { readonly objectBytes: number; readonly partBytes: number; readonly queueSize: number; readonly reps: number } | undefined;
  /** `mpu serve --workers N` on fs driven by the lean client (lib/lean-client.ts). */
  readonly workers: WorkersProfile | undefined;
  /** ListMultipartUploads (and ListObjectVersions where the build has it) against the engine. */
  readonly listing: ListingProfile | undefined;
}

export interface WorkersProfile {
  /** Worker counts compared; the first is the baseline of the scaling target. */
  readonly counts: readonly number[];
  /** Bytes per operation kind (UploadPart, PutObject, GetObject) per round. */
  readonly bytesPerOp: number;
  /** Part and object size. */
  readonly bodyBytes: number;
  readonly inFlight: number;
  readonly reps: number;
}

export interface ListingProfile {
  readonly backends: readonly BackendName[];
  /** Open uploads (or versions) in the bucket; the target compares the last with the first. */
  readonly counts: readonly number[];
  /** Fewer uploads on backends where creating `counts` does not fit the profile's time. */
  readonly countsFor?: Readonly<Partial<Record<BackendName, readonly number[]>>>;
  readonly pageSize: number;
  readonly reps: number;
  /** createMultipartUpload calls in flight while filling the bucket (not timed). */
  readonly createInFlight: number;
}

const STORE_BACKENDS: BackendName[] = ['memory', 'fs', 'level'];
const CLOUD_BACKENDS: BackendName[] = ['azure', 'gcs'];
const EVERY_BACKEND: BackendName[] = [...STORE_BACKENDS, ...CLOUD_BACKENDS];

function matrix(objects: readonly number[], parts: readonly number[], reps: number, backends: readonly BackendName[]): AssemblyCase[] {
  return objects.flatMap((objectBytes) => parts.map((partBytes) => ({ objectBytes, partBytes, reps, backends })));
}

const HALF_GIB_IN_EIGHT: ObjectShape = { objectBytes: 512 * MiB, partBytes: 64 * MiB };
const QUICK_HALF_GIB: Partial<Record<BackendName, ObjectShape>> = { level: HALF_GIB_IN_EIGHT, azure: HALF_GIB_IN_EIGHT, gcs: HALF_GIB_IN_EIGHT };

const INGEST_CHECKSUMS: (ChecksumAlgorithm | undefined)[] = [undefined, 'CRC32', 'CRC64NVME', 'SHA256'];

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  // The harness's own test: tiny sizes, no emulators, no end to end. Proves the plumbing only.
  smoke: {
    name: 'smoke',
    assembly: {
      backends: ['memory', 'fs'],
      cases: [
        ...matrix([2 * MiB], [256 * 1024, MiB], 2, ['memory', 'fs']),
        { objectBytes: 16 * MiB, partBytes: 2 * MiB, reps: 2, backends: ['memory', 'fs'] },
      ],
      flatness: { small: { objectBytes: 2 * MiB, partBytes: 256 * 1024 }, large: { objectBytes: 16 * MiB, partBytes: 2 * MiB } },
      tinyParts: { count: 200, partBytes: 1024, reps: { memory: 2, fs: 2 } },
      catReps: 2,
    },
    ingest: { partBytes: MiB, partsPerIteration: 4, iterations: 2, inFlight: [1, 4], checksums: [undefined, 'CRC32'] },
    endToEnd: undefined,
    // One worker count: a second server (and waiting for its workers) would double the test's time.
    workers: { counts: [1], bytesPerOp: 8 * MiB, bodyBytes: MiB, inFlight: 4, reps: 1 },
    listing: { backends: ['memory', 'fs'], counts: [20, 250], pageSize: 10, reps: 2, createInFlight: 8 },
  },
  quick: {
    name: 'quick',
    assembly: {
      backends: EVERY_BACKEND,
      cases: [
        ...matrix([64 * MiB], [5 * MiB, 8 * MiB, 64 * MiB], 3, STORE_BACKENDS),
        ...matrix([64 * MiB], [5 * MiB, 64 * MiB], 1, CLOUD_BACKENDS),
        { objectBytes: 64 * MiB, partBytes: 8 * MiB, reps: 2, backends: CLOUD_BACKENDS },
        { objectBytes: GiB, partBytes: 8 * MiB, reps: 2, backends: ['fs'] },
        { objectBytes: GiB, partBytes: 128 * MiB, reps: 2, backends: ['memory', 'fs'], baseline: false },
        { objectBytes: 512 * MiB, partBytes: 64 * MiB, reps: 2, backends: ['level', ...CLOUD_BACKENDS], readBack: false, baseline: false },
      ],
      flatness: {
        small: { objectBytes: 64 * MiB, partBytes: 8 * MiB },
        large: { objectBytes: GiB, partBytes: 128 * MiB },
        // Staging 1 GiB through level or an emulator takes about a minute on a busy 2-core machine.
        largeFor: QUICK_HALF_GIB,
      },
      tinyParts: { count: 10_000, partBytes: 1024, reps: { memory: 1, fs: 2, level: 1, azure: 1, gcs: 1 }, countFor: { level: 1_000, azure: 1_000, gcs: 1_000 } },
      catReps: 3,
    },
    ingest: { partBytes: 8 * MiB, partsPerIteration: 16, iterations: 5, inFlight: [1, 4], checksums: INGEST_CHECKSUMS, checksumsInFlight: [1] },
    endToEnd: { objectBytes: GiB, partBytes: 8 * MiB, queueSize: 4, reps: 2 },
    workers: { counts: [1, 2], bytesPerOp: 512 * MiB, bodyBytes: 8 * MiB, inFlight: 16, reps: 2 },
    // Azurite created about 20 uploads/s under a load average of 18 (4 min for 5,000): 2,000 there and on gcs.
    listing: { backends: ['fs', 'level', 'azure', 'gcs'], counts: [200, 5_000], countsFor: { azure: [200, 2_000], gcs: [200, 2_000] }, pageSize: 100, reps: 5, createInFlight: 16 },
  },
  full: {
    name: 'full',
    assembly: {
      backends: EVERY_BACKEND,
      cases: [
        ...matrix([64 * MiB, GiB], [5 * MiB, 8 * MiB, 64 * MiB], 5, EVERY_BACKEND),
        ...matrix([4 * GiB], [5 * MiB, 8 * MiB, 64 * MiB], 3, EVERY_BACKEND),
        { objectBytes: 4 * GiB, partBytes: 512 * MiB, reps: 3, backends: EVERY_BACKEND },
      ],
      flatness: { small: { objectBytes: 64 * MiB, partBytes: 8 * MiB }, large: { objectBytes: 4 * GiB, partBytes: 512 * MiB } },
      tinyParts: { count: 10_000, partBytes: 1024, reps: { memory: 5, fs: 5, level: 5, azure: 3, gcs: 3 } },
      catReps: 5,
    },
    ingest: { partBytes: 8 * MiB, partsPerIteration: 64, iterations: 5, inFlight: [1, 4], checksums: INGEST_CHECKSUMS },
    endToEnd: { objectBytes: GiB, partBytes: 8 * MiB, queueSize: 4, reps: 5 },
    workers: { counts: [1, 2], bytesPerOp: GiB, bodyBytes: 8 * MiB, inFlight: 16, reps: 5 },
    listing: { backends: ['fs', 'level', 'azure', 'gcs'], counts: [200, 5_000], pageSize: 100, reps: 10, createInFlight: 16 },
  },
};

/** A plain-language account of what a profile measures, printed at the top of the report. */
export function describeProfile(profile: Profile): string[] {
  const lines: string[] = [];
  const byObject = new Map<string, string[]>();
  for (const c of profile.assembly.cases) {
    const key = `${sizeLabel(c.objectBytes)} in ${sizeLabel(c.partBytes)} parts`;
    const extras = [c.readBack === false ? 'no read-back' : '', c.baseline === false ? 'no cat baseline' : ''].filter(Boolean);
    byObject.set(key, [...(byObject.get(key) ?? []), `${c.backends.join(', ')} ×${c.reps}${extras.length ? `, ${extras.join(', ')}` : ''}`]);
  }
  lines.push(`Assembly: ${[...byObject].map(([k, v]) => `${k} (${v.join('; ')})`).join('; ')}.`);
  const tiny = profile.assembly.tinyParts;
  const tinyCount = (b: string): string => (tiny.countFor?.[b as BackendName] ?? tiny.count).toLocaleString('en-US');
  lines.push(`Tiny parts of ${sizeLabel(tiny.partBytes)}: ${Object.entries(tiny.reps).map(([b, n]) => `${b} ${tinyCount(b)} parts ×${n}`).join(', ')}.`);
  lines.push(`cat baselines ×${profile.assembly.catReps} per object/part-size pair (fs data directory volume).`);
  const ing = profile.ingest;
  lines.push(`Ingest (fs): ${ing.partsPerIteration} parts of ${sizeLabel(ing.partBytes)} per iteration, ×${ing.iterations}, ` +
    `${ing.inFlight.join(' and ')} in flight, checksums: ${ing.checksums.map((c) => (c ? `MD5+${c}` : 'MD5 only')).join(', ')}` +
    `${ing.checksumsInFlight ? ` (the extra checksums at ${ing.checksumsInFlight.join(', ')} in flight only)` : ''}; fsync off, plus MD5 only with fsync on.`);
  const e2e = profile.endToEnd;
  lines.push(e2e
    ? `End to end: ${sizeLabel(e2e.objectBytes)} in ${sizeLabel(e2e.partBytes)} parts, queueSize ${e2e.queueSize}, ×${e2e.reps} per server (mpu on fs, s3rver, OpenStack Swift s3api where installed), each round followed by a Complete of 100 × 5MiB parts.`
    : 'End to end: not run in this profile.');
  const w = profile.workers;
  lines.push(w
    ? `Workers: \`mpu serve\` on fs with ${w.counts.join(' and ')} worker(s), lean client (${w.inFlight} in flight, ${sizeLabel(w.bodyBytes)} bodies), ${sizeLabel(w.bytesPerOp)} each of UploadPart, PutObject and GetObject per round, ×${w.reps}.`
    : 'Workers: not run in this profile.');
  const l = profile.listing;
  lines.push(l
    ? `Listing: ${l.backends.map((b) => `${b} ${listingCounts(l, b).map((n) => n.toLocaleString('en-US')).join(' and ')}`).join('; ')} open uploads in one bucket, first and last page of ${l.pageSize}, ×${l.reps}; ListObjectVersions the same where the build has it.`
    : 'Listing: not run in this profile.');
  lines.push(`Memory: engine heap during the first ${tiny.count.toLocaleString('en-US')}-part Complete on fs${e2e ? '; server RSS (idle, peak) during each end-to-end upload' : ''}.`);
  return lines;
}

/** The upload counts the listing suite fills a backend's bucket to. */
export function listingCounts(listing: ListingProfile, backend: BackendName): readonly number[] {
  return listing.countsFor?.[backend] ?? listing.counts;
}
