/**
 * Targets of the "Scale up" work, judged like the §8 ones from figures of the same run: mpu
 * beside OpenStack Swift (s3api) end to end, `mpu serve --workers 2` beside one worker with the
 * lean client, level read-back beside `cat`, and listing pages whose cost does not grow with
 * the number of open uploads.
 */
import { type FigureBook, sizeLabel } from './figures.js';
import { listingCounts, type Profile } from './profiles.js';
import type { TargetResult } from './targets.js';

export const SWIFT_UPLOAD_MIN_RATIO = 1.2;
export const SWIFT_DOWNLOAD_MIN_RATIO = 2;
export const SWIFT_COMPLETE_MIN_SPEEDUP = 5;
export const WORKERS_MIN_SCALING = 1.5;
export const LEVEL_READBACK_MIN_RATIO = 0.5;
export const LISTING_MAX_RATIO = 2;

const x = (r: number): string => `${r.toFixed(2)}×`;
const notRun = (id: string, what: string, target: string, why: string): TargetResult => ({ id, what, target, figure: '—', verdict: 'NOT RUN', note: why });

/** A ratio target: `numerator ÷ denominator ≥ min`, with the shortfall spelled out on a miss. */
function atLeast(id: string, what: string, target: string, ratio: number, min: number, figure: string, missWhy = ''): TargetResult {
  const pass = ratio >= min;
  return { id, what, target, figure, verdict: pass ? 'PASS' : 'MISS', note: pass ? '' : `${x(ratio)} of the ${x(min)} asked: short by ${(((min - ratio) / min) * 100).toFixed(0)} %${missWhy}` };
}

function swiftTargets(book: FigureBook): TargetResult[] {
  const why = 'the Swift peer did not run (see the notes: packages missing, or it failed)';
  const results: TargetResult[] = [];
  const up = [book.get('e2e.mpu.uploadMBps'), book.get('e2e.swift.uploadMBps')] as const;
  const upWhat = 'S3 upload end to end (SDK client) beside OpenStack Swift s3api';
  const upTarget = `≥ ${SWIFT_UPLOAD_MIN_RATIO} × Swift`;
  results.push(up[0] && up[1]
    ? atLeast('e2e.upload.swift', upWhat, upTarget, up[0].median / up[1].median, SWIFT_UPLOAD_MIN_RATIO, `${x(up[0].median / up[1].median)} (${up[0].median.toFixed(0)} vs ${up[1].median.toFixed(0)} MB/s, medians)`)
    : notRun('e2e.upload.swift', upWhat, upTarget, why));
  const down = [book.get('e2e.mpu.downloadMBps'), book.get('e2e.swift.downloadMBps')] as const;
  const downWhat = 'S3 download end to end (SDK client) beside OpenStack Swift s3api';
  const downTarget = `≥ ${SWIFT_DOWNLOAD_MIN_RATIO} × Swift`;
  results.push(down[0] && down[1]
    ? atLeast('e2e.download.swift', downWhat, downTarget, down[0].median / down[1].median, SWIFT_DOWNLOAD_MIN_RATIO, `${x(down[0].median / down[1].median)} (${down[0].median.toFixed(0)} vs ${down[1].median.toFixed(0)} MB/s, medians)`)
    : notRun('e2e.download.swift', downWhat, downTarget, why));
  const c = [book.get('e2e.mpu.complete100Ms'), book.get('e2e.swift.complete100Ms')] as const;
  const cWhat = `CompleteMultipartUpload of ${c[0]?.params['parts'] ?? 100} × ${sizeLabel(Number(c[0]?.params['partBytes'] ?? 5 * 1024 * 1024))} parts beside Swift s3api`;
  const cTarget = `≥ ${SWIFT_COMPLETE_MIN_SPEEDUP} × faster than Swift`;
  results.push(c[0] && c[1]
    ? atLeast('e2e.complete100.swift', cWhat, cTarget, c[1].median / c[0].median, SWIFT_COMPLETE_MIN_SPEEDUP, `${x(c[1].median / c[0].median)} faster (${c[0].median.toFixed(0)} vs ${c[1].median.toFixed(0)} ms, medians)`)
    : notRun('e2e.complete100.swift', cWhat, cTarget, why));
  return results;
}

function workersTargets(profile: Profile, book: FigureBook): TargetResult[] {
  const w = profile.workers;
  const [base, more] = w?.counts ?? [1, 2];
  const what = `\`mpu serve --workers ${more}\` beside \`--workers ${base}\`, UploadPart with the lean client (fs)`;
  const target = `≥ ${WORKERS_MIN_SCALING} × the throughput`;
  const one = book.get(`workers.${base}.uploadPart.MBps`);
  const two = book.get(`workers.${more}.uploadPart.MBps`);
  const results: TargetResult[] = [];
  if (!one) results.push(notRun('workers.scaling', what, target, 'the workers suite did not run'));
  else if (more === undefined) results.push(notRun('workers.scaling', what, target, 'this profile runs one worker count only'));
  else if (!two) results.push(notRun('workers.scaling', what, target, `workers not supported by this build (the server did not start ${more} worker processes)`));
  else {
    const ratio = two.median / one.median;
    const other = (op: string): string => {
      const a = book.get(`workers.${base}.${op}.MBps`);
      const b = book.get(`workers.${more}.${op}.MBps`);
      return a && b ? `${op} ${x(b.median / a.median)}` : '';
    };
    const cpu = [book.get(`workers.${base}.uploadPart.cpuSecondsPerGiB`), book.get(`workers.${more}.uploadPart.cpuSecondsPerGiB`)];
    const cpuText = cpu[0] && cpu[1] ? `; server CPU ${cpu[0].median.toFixed(1)} vs ${cpu[1].median.toFixed(1)} s/GiB` : '';
    results.push(atLeast('workers.scaling', what, target, ratio, WORKERS_MIN_SCALING,
      `${x(ratio)} (${two.median.toFixed(0)} vs ${one.median.toFixed(0)} MB/s, medians; ${[other('putObject'), other('getObject')].filter(Boolean).join(', ')}${cpuText})`,
      '; the client runs on the same 2 cores as the server, and fs syncs every part (fsync on), so the disk\'s synced write rate caps both'));
  }
  const rss = (w?.counts ?? []).map((n) => book.get(`workers.${n}.rssAboveIdlePerWorkerMiB`)).filter((f) => f !== undefined);
  if (rss.length > 0) {
    const worst = Math.max(...rss.map((f) => f.max));
    results.push({
      id: 'rss.workers', what: 'peak RSS per worker under the lean client (whole server process tree)', target: '≤ 100 MiB above idle per worker',
      figure: `${worst.toFixed(0)} MiB above idle per worker (worst over ${rss.map((f) => `${f.params['workers']} worker(s)`).join(', ')})`,
      verdict: worst <= 100 ? 'PASS' : 'MISS', note: worst <= 100 ? '' : `${(worst - 100).toFixed(0)} MiB over`,
    });
  }
  return results;
}

/** The level read-back case: the largest level object read back, 8 MiB parts where measured. */
function levelReadBack(profile: Profile, book: FigureBook): TargetResult {
  const what = 'read-back of an assembled object (level)';
  const target = `≥ ${LEVEL_READBACK_MIN_RATIO} × \`cat\` of plain files of the same part sizes to /dev/null`;
  const cases = profile.assembly.cases.filter((c) => c.backends.includes('level') && c.readBack !== false && c.baseline !== false);
  const sorted = [...cases].sort((a, b) => b.objectBytes - a.objectBytes || Number(b.partBytes === 8 * 1024 * 1024) - Number(a.partBytes === 8 * 1024 * 1024));
  const chosen = sorted[0];
  const caseId = chosen ? `${sizeLabel(chosen.objectBytes)}.${sizeLabel(chosen.partBytes)}` : undefined;
  const level = caseId ? book.get(`assembly.level.${caseId}.readMBps`) : undefined;
  const cat = caseId ? book.get(`baseline.cat.${caseId}.readMBps`) : undefined;
  if (!level || !cat || !caseId) return notRun('readback.level', what, target, 'not measured');
  return atLeast('readback.level', `${what.replace(')', `, ${caseId.replace('.', ' in ')} parts)`)}`, target, level.median / cat.median, LEVEL_READBACK_MIN_RATIO,
    `${x(level.median / cat.median)} (${level.median.toFixed(0)} vs ${cat.median.toFixed(0)} MB/s, medians; n = ${level.n})`);
}

function listingTargets(profile: Profile, book: FigureBook): TargetResult[] {
  const l = profile.listing;
  if (!l) return [notRun('listing', 'ListMultipartUploads paging', `page time within ${LISTING_MAX_RATIO}×`, 'not run in this profile')];
  const results: TargetResult[] = [];
  for (const backend of l.backends) {
    const counts = listingCounts(l, backend);
    const small = counts[0]!;
    const large = counts.at(-1)!;
    const get = (n: number, page: string, what: string) => book.get(`listing.${backend}.uploads.${n}.${page}.${what}`);
    const timeWhat = `ListMultipartUploads page time, ${large.toLocaleString('en-US')} ÷ ${small.toLocaleString('en-US')} open uploads (${backend})`;
    const timeTarget = `within ${LISTING_MAX_RATIO}× (first and last page of ${l.pageSize})`;
    const pages = ['firstPage', 'lastPage'].map((page) => ({ page, a: get(small, page, 'ms'), b: get(large, page, 'ms'), ca: get(small, page, 'storeCalls'), cb: get(large, page, 'storeCalls'), ia: get(small, page, 'itemsListed'), ib: get(large, page, 'itemsListed') }));
    if (pages.some((p) => !p.a || !p.b)) {
      results.push(notRun(`listing.time.${backend}`, timeWhat, timeTarget, 'not measured (see the notes)'));
      continue;
    }
    const ratios = pages.map((p) => p.b!.median / p.a!.median);
    const worst = Math.max(...ratios);
    const items = pages.map((p) => (p.ia && p.ib ? `${p.ia.median} → ${p.ib.median}` : '?')).join(' and ');
    const scan = pages.some((p) => p.ia && p.ib && p.ib.median > p.ia.median);
    results.push({
      id: `listing.time.${backend}`, what: timeWhat, target: timeTarget,
      figure: `first page ${x(ratios[0]!)} (${pages[0]!.a!.median.toFixed(1)} → ${pages[0]!.b!.median.toFixed(1)} ms), last page ${x(ratios[1]!)} (${pages[1]!.a!.median.toFixed(1)} → ${pages[1]!.b!.median.toFixed(1)} ms), medians`,
      verdict: worst <= LISTING_MAX_RATIO ? 'PASS' : 'MISS',
      note: worst <= LISTING_MAX_RATIO ? '' : `${x(worst / LISTING_MAX_RATIO)} over the ${LISTING_MAX_RATIO}× bound${scan ? `; the store's listings yielded ${items} items per page (first, last): each page reads every open upload's record` : ''}`,
    });
    const callsSame = pages.every((p) => p.ca && p.cb && p.ca.max === p.cb.max && p.ca.min === p.cb.min);
    results.push({
      id: `listing.calls.${backend}`, what: `store calls per ListMultipartUploads page (${backend})`, target: 'independent of the number of uploads',
      figure: pages.map((p) => `${p.page === 'firstPage' ? 'first' : 'last'} page ${p.ca?.median ?? '?'} → ${p.cb?.median ?? '?'} calls`).join(', ') + `; items listed ${items}`,
      verdict: callsSame ? 'PASS' : 'MISS',
      note: callsSame ? (scan ? 'calls are the same, but each call lists every open upload: see items listed' : '') : 'the number of store calls per page grows with the number of uploads',
    });
  }
  return results;
}

export function evaluateScaleTargets(profile: Profile, book: FigureBook): TargetResult[] {
  return [...swiftTargets(book), ...workersTargets(profile, book), levelReadBack(profile, book), ...listingTargets(profile, book)];
}
