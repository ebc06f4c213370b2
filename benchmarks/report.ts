/** The run's outputs: `results.json` (every figure with min/median/max) and `report.md`. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Figure } from './lib/figures.js';
import { sizeLabel } from './lib/figures.js';
import type { MachineInfo } from './lib/machine.js';
import type { TargetResult } from './lib/targets.js';

export interface RunResults {
  readonly schema: 'mpu-bench/1';
  readonly profile: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  /** What the profile measured, in words (also the report's first section). */
  readonly coverage: readonly string[];
  readonly targets: readonly TargetResult[];
  readonly figures: readonly Figure[];
  readonly notes: readonly string[];
  readonly charts: readonly string[];
  /** 1-minute load average when the run ended. */
  readonly loadAverageAtEnd: number;
}

export async function writeJson(dir: string, results: RunResults): Promise<void> {
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const mmm = (f: Figure | undefined): string => (f ? `${fmt(f.median)} (${fmt(f.min)}–${fmt(f.max)})` : '—');
const med = (f: Figure | undefined): string => (f ? fmt(f.median) : '—');

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function assemblySection(figures: readonly Figure[]): string {
  const byId = new Map(figures.map((f) => [f.id, f]));
  const completes = figures.filter((f) => f.suite === 'assembly' && f.id.endsWith('.completeMs'));
  const rows = completes.map((c) => {
    const base = c.id.replace(/\.completeMs$/, '');
    const caseId = base.split('.').slice(2).join('.');
    const read = byId.get(`${base}.readMBps`);
    const sameParts = (f: Figure | undefined): Figure | undefined => (f && f.params['parts'] === c.params['parts'] ? f : undefined);
    const catRead = sameParts(byId.get(`baseline.cat.${caseId}.readMBps`));
    const catAsm = sameParts(byId.get(`baseline.cat.${caseId}.assembleMs`));
    const bytesRead = byId.get(`${base}.partBytesRead`);
    return [
      String(c.params['backend']), sizeLabel(Number(c.params['objectBytes'])), `${c.params['parts']} × ${sizeLabel(Number(c.params['partBytes']))}`,
      mmm(c), med(byId.get(`${base}.assemblyMBps`)), catAsm ? `${fmt(catAsm.median)} ms` : '—',
      read ? mmm(read) : '—', read && catRead ? `${(read.median / catRead.median).toFixed(2)}×` : '—',
      bytesRead ? String(bytesRead.max) : '—', String(c.n),
    ];
  });
  return table(
    ['backend', 'object', 'parts', 'Complete ms median (min–max)', 'assembly MB/s', '`cat` > file', 'read-back MB/s median (min–max)', 'read-back ÷ `cat` > /dev/null', 'part bytes read in Complete (max)', 'n'],
    rows,
  );
}

function hotReadSection(figures: readonly Figure[]): string {
  const byId = new Map(figures.map((f) => [f.id, f]));
  const rows = figures.filter((f) => f.id.endsWith('.hotReadMBps')).map((f) => {
    const cat = byId.get(f.id.replace(/hotReadMBps$/, 'catHotReadMBps'));
    return [String(f.params['backend']), sizeLabel(Number(f.params['objectBytes'])), `${f.params['parts']} × ${sizeLabel(Number(f.params['partBytes']))}`,
      mmm(f), mmm(cat), cat ? `${(f.median / cat.median).toFixed(2)}×` : '—', String(f.n)];
  });
  return rows.length === 0 ? '' : [
    '',
    'fs read-back with the part files hot in the page cache (an untimed `cat` warms them; then mpu\'s read-back and `cat` of the same files to /dev/null run back to back). This VM reclaims page cache eagerly, so the first read after Complete above may come from disk or memory by chance.',
    '',
    table(['backend', 'object', 'parts', 'hot read-back MB/s', '`cat` same files, hot, MB/s', 'ratio', 'n'], rows),
  ].join('\n');
}

function baselineSection(figures: readonly Figure[]): string {
  const rows = figures.filter((f) => f.suite === 'baseline').map((f) => [f.label, f.params['parts'] ? `${f.params['parts']} × ${sizeLabel(Number(f.params['partBytes']))}` : '', f.unit, mmm(f), String(f.n)]);
  return table(['baseline', 'parts', 'unit', 'median (min–max)', 'n'], rows);
}

function simpleSection(figures: readonly Figure[], suite: Figure['suite']): string {
  const rows = figures.filter((f) => f.suite === suite).map((f) => [f.label, f.unit, mmm(f), String(f.n)]);
  return rows.length === 0 ? '_Not run in this profile._' : table(['measurement', 'unit', 'median (min–max)', 'n'], rows);
}

export function renderMarkdown(results: RunResults): string {
  const m = results.machine;
  const passCount = results.targets.filter((t) => t.verdict === 'PASS').length;
  const lines: string[] = [
    `# mpu benchmark report — ${results.profile} profile`,
    '',
    `Run ${results.startedAt}, ${results.durationSeconds.toFixed(0)} s. Every ratio below compares two figures measured in this same run on this machine.`,
    '',
    table(['machine', ''], [
      ['CPU', `${m.cpuModel} × ${m.cores}`], ['memory', `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`], ['kernel', m.kernel],
      ['load average (1 min) at start', `${m.loadAverageAtStart.toFixed(1)} on ${m.cores} cores; at end ${results.loadAverageAtEnd.toFixed(1)}`],
      ['node', m.node], ['openssl', m.openssl], ['git commit', `${m.gitCommit}${m.gitDirty ? ' (working tree had uncommitted changes)' : ''}`],
      ['packages', Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')],
    ]),
    '',
    '## What this profile measured',
    '',
    ...results.coverage.map((c) => `- ${c}`),
    '',
    `## Targets: DESIGN §8 and scale-up (${passCount} of ${results.targets.length} pass)`,
    '',
    table(['what', 'target', 'figure', 'result', 'note'], results.targets.map((t) => [t.what, t.target, t.figure, `**${t.verdict}**`, t.note])),
    '',
    '## Assembly',
    '',
    'Complete latency is the engine call alone (parts are staged before the clock starts). Effective assembly throughput is object bytes ÷ Complete time. Read-back streams the whole object through `getObject`. "part bytes read" is counted by `CountingStore` around the backend during Complete.',
    '',
    assemblySection(results.figures),
    hotReadSection(results.figures),
    '',
    '## Baselines (same run)',
    '',
    baselineSection(results.figures),
    '',
    '## Ingest (UploadPart on fs)',
    '',
    simpleSection(results.figures, 'ingest'),
    '',
    '## End to end (S3 over HTTP, `@aws-sdk/lib-storage`)',
    '',
    simpleSection(results.figures, 'end-to-end'),
    '',
    '## Workers (`mpu serve` on fs, lean client)',
    '',
    simpleSection(results.figures, 'workers'),
    '',
    '## Listing (engine, ListMultipartUploads paging)',
    '',
    simpleSection(results.figures, 'listing'),
    '',
    '## Memory',
    '',
    simpleSection(results.figures, 'memory'),
    '',
    '## Charts',
    '',
    ...results.charts.map((c) => `![${c}](${c})`),
    '',
    '## Notes',
    '',
    ...results.notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}

export async function writeMarkdown(dir: string, results: RunResults): Promise<void> {
  await writeFile(join(dir, 'report.md'), renderMarkdown(results));
}
