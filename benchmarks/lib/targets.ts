/**
 * DESIGN §8 targets, each judged from figures of the same run. A target whose figures were not
 * measured in this profile is reported as NOT RUN, never as a pass.
 */
import { type FigureBook, sizeLabel } from './figures.js';
import type { BackendName } from './backends.js';
import type { ObjectShape, Profile } from './profiles.js';
import { evaluateScaleTargets } from './scale-targets.js';

export type Verdict = 'PASS' | 'MISS' | 'NOT RUN';

export interface TargetResult {
  readonly id: string;
  readonly what: string;
  readonly target: string;
  /** The figure as shown in the report, e.g. `1.12× (41.0 ms vs 36.6 ms)`. */
  readonly figure: string;
  readonly verdict: Verdict;
  /** By how much a target was missed (and why, where known); empty for a pass. */
  readonly note: string;
}

/**
 * "About the same time": the larger object takes at most 1.5× as long, or at most 10 ms more
 * (below that, timer and scheduler noise on a shared machine dominates a sub-10 ms Complete).
 */
export const FLATNESS_MAX_RATIO = 1.5;
export const FLATNESS_SLACK_MS = 10;
export const READBACK_MIN_RATIO = 0.8;
export const INGEST_MIN_RATIO = 0.7;
export const RSS_MAX_ABOVE_IDLE_MIB = 100;
export const TINY_COMPLETE_MAX_MS = 500;
/** End-to-end upload with the SDK client, mpu ÷ s3rver. */
export const S3RVER_UPLOAD_MIN_RATIO = 1.5;

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

function notRun(id: string, what: string, target: string, why: string): TargetResult {
  return { id, what, target, figure: '—', verdict: 'NOT RUN', note: why };
}

export function flatnessCaseIds(profile: Profile, backend?: BackendName): { small: string; large: string } {
  const { small } = profile.assembly.flatness;
  const large = flatnessLarge(profile, backend);
  return {
    small: `${sizeLabel(small.objectBytes)}.${sizeLabel(small.partBytes)}`,
    large: `${sizeLabel(large.objectBytes)}.${sizeLabel(large.partBytes)}`,
  };
}

export function flatnessLarge(profile: Profile, backend?: BackendName): ObjectShape {
  const flat = profile.assembly.flatness;
  return (backend && flat.largeFor?.[backend]) || flat.large;
}

/** The fs read-back case judged against `cat`: the largest object, 8 MiB parts where measured. */
export function readBackCaseId(profile: Profile): string | undefined {
  const fsCases = profile.assembly.cases.filter((c) => c.backends.includes('fs'));
  const largest = Math.max(...fsCases.map((c) => c.objectBytes));
  const candidates = fsCases.filter((c) => c.objectBytes === largest);
  const chosen = candidates.find((c) => c.partBytes === 8 * 1024 * 1024) ?? candidates[0];
  return chosen ? `${sizeLabel(chosen.objectBytes)}.${sizeLabel(chosen.partBytes)}` : undefined;
}

/** The first read after Complete, whose cache state is chance on this VM, shown for honesty. */
function coldNote(book: FigureBook, caseId: string): string {
  const first = book.get(`assembly.fs.${caseId}.readMBps`);
  return first ? `; first read after Complete, cache state as staging left it: ${first.median.toFixed(0)} MB/s (${first.min.toFixed(0)}–${first.max.toFixed(0)})` : '';
}

/** Splits a read-back gap: how far Node's own sequential read of the same files gets. */
function readBackWhy(book: FigureBook, caseId: string, mpu: number, cat: number): string {
  const node = book.get(`baseline.node.${caseId}.readMBps`);
  if (!node) return '';
  return `; Node's own sequential read of plain files of the same sizes reaches ${node.median.toFixed(0)} MB/s (${(node.median / cat).toFixed(2)}× cat), ` +
    `so ${pct(Math.max(0, (cat - node.median) / (cat - mpu)))} of the gap is Node's I/O path and the rest mpu's read path ` +
    `(a fresh 1 MiB buffer per read and several async-iterator hops per chunk: store → CountingStore → engine → consumer). ` +
    `Reusing read buffers and reading larger chunks would narrow mpu's share; ${node.median / cat < READBACK_MIN_RATIO ? 'even a perfect Node reader stays under 0.8 × cat on a hot page cache here' : 'a Node reader can reach the target here'}`;
}

/** How fast this process hashes MD5 at all, beside openssl. */
function ingestWhy(book: FigureBook, openssl: number): string {
  const node = book.get('baseline.node.md5.MBps');
  if (!node) return '';
  return `; in this run Node's own \`createHash('md5')\` over the same 64 KiB chunks ran at ${node.median.toFixed(0)} MB/s median (${node.min.toFixed(0)}–${node.max.toFixed(0)}; ${(node.median / openssl).toFixed(2)}× openssl), ` +
    `so the rest goes to writing the part file and its record on the same thread; hashing off the main thread, overlapped with the write, would close it`;
}

/** Compares the fs Complete with the same Complete on the memory backend (no I/O at all). */
function tinyWhy(book: FigureBook, profile: Profile): string {
  const memory = book.get('assembly.memory.tiny.completeMs');
  const fs = book.get('assembly.fs.tiny.completeMs');
  if (!memory || !fs || memory.params['parts'] !== profile.assembly.tinyParts.count) return '';
  return `; the same Complete on the memory backend (no I/O) takes ${memory.median.toFixed(0)} ms, so ${pct(Math.min(1, memory.median / fs.median))} of the fs time is engine work, not fs`;
}

export function evaluateTargets(profile: Profile, book: FigureBook): TargetResult[] {
  const results: TargetResult[] = [];
  const flat = profile.assembly.flatness;
  for (const backend of profile.assembly.backends) {
    const { small, large } = flatnessCaseIds(profile, backend);
    const largeShape = flatnessLarge(profile, backend);
    const id = `flat.${backend}`;
    const what = `Complete latency flat in object size (${backend})`;
    const target = `${sizeLabel(largeShape.objectBytes)} ÷ ${sizeLabel(flat.small.objectBytes)} Complete time ≤ ${FLATNESS_MAX_RATIO}× or ≤ ${FLATNESS_SLACK_MS} ms longer (same part count, ${largeShape.objectBytes / largeShape.partBytes} parts)`;
    const s = book.get(`assembly.${backend}.${small}.completeMs`);
    const l = book.get(`assembly.${backend}.${large}.completeMs`);
    if (!s || !l) {
      results.push(notRun(id, what, target, 'one of the two sizes was not measured on this backend'));
      continue;
    }
    // Judged on the fastest run of each: noise on a shared machine only ever adds time, so the
    // minimum is the closest estimate of what Complete itself costs. Medians are shown beside.
    const ratio = l.min / s.min;
    const pass = ratio <= FLATNESS_MAX_RATIO || l.min - s.min <= FLATNESS_SLACK_MS;
    results.push({
      id, what, target,
      figure: `${ratio.toFixed(2)}× (fastest ${l.min.toFixed(1)} ms vs ${s.min.toFixed(1)} ms; medians ${l.median.toFixed(1)} vs ${s.median.toFixed(1)} ms; n = ${l.n} and ${s.n})`,
      verdict: pass ? 'PASS' : 'MISS',
      note: pass ? '' : `${(ratio / FLATNESS_MAX_RATIO).toFixed(2)}× over the ${FLATNESS_MAX_RATIO}× bound (${(l.min - s.min).toFixed(0)} ms longer); ` +
        `for scale, the ${sizeLabel(flat.small.objectBytes)} Complete alone ranged ${s.min.toFixed(0)}–${s.max.toFixed(0)} ms over its ${s.n} runs`,
    });
  }
  for (const backend of profile.assembly.backends) {
    const counted = book.figures.filter((f) => f.id.startsWith(`assembly.${backend}.`) && f.id.endsWith('.partBytesRead'));
    const id = `zero-read.${backend}`;
    const what = `0 part bytes read back through the engine during Complete (${backend})`;
    if (counted.length === 0) {
      results.push(notRun(id, what, '0 bytes (CountingStore)', 'no assembly case ran on this backend'));
      continue;
    }
    const most = Math.max(...counted.map((f) => f.max));
    results.push({
      id, what, target: '0 bytes (CountingStore)',
      figure: `${most} bytes (max over ${counted.reduce((n, f) => n + f.n, 0)} Completes)`,
      verdict: most === 0 ? 'PASS' : 'MISS',
      note: most === 0 ? '' : `${most} bytes read during Complete`,
    });
  }

  const readCase = readBackCaseId(profile);
  // Hot against hot, same files: the store's own part files (see hotReadPair in assembly.ts).
  const fsRead = readCase ? book.get(`assembly.fs.${readCase}.hotReadMBps`) : undefined;
  const catRead = readCase ? book.get(`assembly.fs.${readCase}.catHotReadMBps`) : undefined;
  if (fsRead && catRead && readCase) {
    const ratio = fsRead.median / catRead.median;
    const pass = ratio >= READBACK_MIN_RATIO;
    results.push({
      id: 'readback.fs', what: `read-back of an assembled object (fs, ${readCase.replace('.', ' in ')} parts)`,
      target: `≥ ${READBACK_MIN_RATIO} × \`cat\` of the same part files to /dev/null (both hot in the page cache)`,
      figure: `${ratio.toFixed(2)}× (${fsRead.median.toFixed(0)} vs ${catRead.median.toFixed(0)} MB/s, medians; n = ${fsRead.n})${coldNote(book, readCase)}`,
      verdict: pass ? 'PASS' : 'MISS',
      note: pass ? '' : `short by ${pct(READBACK_MIN_RATIO - ratio)} of cat${readBackWhy(book, readCase, fsRead.median, catRead.median)}`,
    });
  } else {
    results.push(notRun('readback.fs', 'read-back of an assembled object (fs)', `≥ ${READBACK_MIN_RATIO} × cat`, 'not measured'));
  }

  const ingest = book.get('ingest.fs.nofsync.1.MD5.MBps');
  const openssl = book.get('baseline.openssl.md5.MBps');
  if (ingest && openssl) {
    const ratio = ingest.median / openssl.median;
    const pass = ratio >= INGEST_MIN_RATIO;
    results.push({
      id: 'ingest.fs', what: 'UploadPart ingest, one stream, fs (MD5 only, fsync off: the CPU path)',
      target: `≥ ${INGEST_MIN_RATIO} × single-core \`openssl speed md5\``,
      figure: `${ratio.toFixed(2)}× (${ingest.median.toFixed(0)} vs ${openssl.median.toFixed(0)} MB/s, medians)`,
      verdict: pass ? 'PASS' : 'MISS',
      note: pass ? '' : `short by ${pct(INGEST_MIN_RATIO - ratio)} of openssl${ingestWhy(book, openssl.median)}`,
    });
  } else {
    results.push(notRun('ingest.fs', 'UploadPart ingest, one stream, fs', `≥ ${INGEST_MIN_RATIO} × openssl md5`, 'not measured'));
  }

  const mpu = book.get('e2e.mpu.uploadMBps');
  const peer = book.get('e2e.s3rver.uploadMBps');
  const e2eLabel = profile.endToEnd
    ? `S3 upload, ${sizeLabel(profile.endToEnd.objectBytes)}, ${sizeLabel(profile.endToEnd.partBytes)} parts, ${profile.endToEnd.queueSize} in flight`
    : 'S3 upload end to end';
  if (mpu && peer) {
    const ratio = mpu.median / peer.median;
    results.push({
      id: 'e2e.upload', what: e2eLabel, target: `≥ ${S3RVER_UPLOAD_MIN_RATIO} × s3rver in the same run`,
      figure: `${ratio.toFixed(2)}× (${mpu.median.toFixed(0)} vs ${peer.median.toFixed(0)} MB/s, medians)`,
      verdict: ratio >= S3RVER_UPLOAD_MIN_RATIO ? 'PASS' : 'MISS',
      note: ratio >= S3RVER_UPLOAD_MIN_RATIO ? '' : `short by ${pct((S3RVER_UPLOAD_MIN_RATIO - ratio) / S3RVER_UPLOAD_MIN_RATIO)} of ${S3RVER_UPLOAD_MIN_RATIO}× s3rver`,
    });
  } else {
    results.push(notRun('e2e.upload', e2eLabel, `≥ ${S3RVER_UPLOAD_MIN_RATIO} × s3rver`, 'end to end not run in this profile'));
  }

  const rss = book.get('memory.mpu.rssAboveIdleMiB');
  if (rss) {
    const pass = rss.max <= RSS_MAX_ABOVE_IDLE_MIB;
    results.push({
      id: 'rss', what: `peak RSS during the ${e2eLabel.replace('S3 upload, ', '')} upload (mpu server process)`,
      target: `≤ ${RSS_MAX_ABOVE_IDLE_MIB} MiB above idle`,
      figure: `${rss.max.toFixed(0)} MiB above idle (worst of ${rss.n}; median ${rss.median.toFixed(0)})`,
      verdict: pass ? 'PASS' : 'MISS',
      note: pass ? '' : `${(rss.max - RSS_MAX_ABOVE_IDLE_MIB).toFixed(0)} MiB over`,
    });
  } else {
    results.push(notRun('rss', 'peak RSS during a 1 GiB upload', `≤ ${RSS_MAX_ABOVE_IDLE_MIB} MiB above idle`, 'end to end not run in this profile'));
  }

  const tiny = book.get('assembly.fs.tiny.completeMs');
  const parts = profile.assembly.tinyParts.count.toLocaleString('en-US');
  if (tiny) {
    const pass = tiny.median < TINY_COMPLETE_MAX_MS;
    results.push({
      id: 'tiny.fs', what: `Complete of ${parts} parts (fs)`, target: `under ${TINY_COMPLETE_MAX_MS} ms`,
      figure: `${tiny.median.toFixed(0)} ms median (min ${tiny.min.toFixed(0)}, max ${tiny.max.toFixed(0)})`,
      verdict: pass ? 'PASS' : 'MISS',
      note: pass ? '' : `${(tiny.median - TINY_COMPLETE_MAX_MS).toFixed(0)} ms over${tinyWhy(book, profile)}`,
    });
  } else {
    results.push(notRun('tiny.fs', `Complete of ${parts} parts (fs)`, `under ${TINY_COMPLETE_MAX_MS} ms`, 'not measured'));
  }
  results.push(...evaluateScaleTargets(profile, book));
  return results;
}
