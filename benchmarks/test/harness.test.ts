import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../report.js';

const run = promisify(execFile);
const RUN_TS = fileURLToPath(new URL('../run.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let outDir: string | undefined;
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('benchmark harness (smoke profile)', () => {
  it('runs every local suite on tiny sizes and writes JSON, Markdown and SVG charts', { timeout: 180_000 }, async () => {
    outDir = await mkdtemp(join(tmpdir(), 'mpu-bench-smoke-'));
    const { stderr } = await run(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', RUN_TS, '--smoke', '--out', outDir], {
      cwd: REPO_ROOT,
      timeout: 170_000,
      maxBuffer: 16 << 20,
    });
    expect(stderr).toMatch(/\[bench .*assembly fs/);

    const runs = (await readdir(outDir)).filter((d) => d !== 'latest');
    expect(runs).toHaveLength(1);
    const latest = join(outDir, 'latest');
    const files = await readdir(latest);
    expect(files).toEqual(expect.arrayContaining(['results.json', 'report.md']));

    const results = JSON.parse(await readFile(join(latest, 'results.json'), 'utf8')) as RunResults;
    expect(results.profile).toBe('smoke');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    for (const f of results.figures) {
      expect(f.min, f.id).toBeLessThanOrEqual(f.median);
      expect(f.median, f.id).toBeLessThanOrEqual(f.max);
      expect(Number.isFinite(f.median), f.id).toBe(true);
    }
    const ids = results.figures.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining([
      'assembly.fs.2MiB.256KiB.completeMs', 'assembly.memory.16MiB.2MiB.readMBps', 'assembly.fs.tiny.completeMs',
      'baseline.cat.16MiB.2MiB.readMBps', 'baseline.openssl.md5.MBps', 'ingest.fs.nofsync.1.MD5.MBps',
      'memory.engine.tinyComplete.heapPeakAboveMiB',
      'workers.1.uploadPart.MBps', 'workers.1.getObject.cpuSecondsPerGiB', 'workers.1.rssAboveIdlePerWorkerMiB',
      'listing.memory.uploads.20.firstPage.ms', 'listing.fs.uploads.250.lastPage.storeCalls', 'listing.fs.uploads.250.lastPage.itemsListed',
    ]));
    // The lean client's signed requests reached the CLI server and made it work (CPU counted over its process tree).
    const byId = new Map(results.figures.map((f) => [f.id, f]));
    expect(byId.get('workers.1.uploadPart.cpuSecondsPerGiB')!.min).toBeGreaterThan(0);
    // A page lists a page: never more uploads than the bucket holds, never fewer than the page.
    const lastPageItems = byId.get('listing.fs.uploads.250.lastPage.itemsListed')!;
    expect(lastPageItems.min).toBeGreaterThanOrEqual(10);
    expect(lastPageItems.max).toBeLessThanOrEqual(250 + 10);
    // Listing is judged on both backends; one worker count cannot be judged for scaling.
    for (const id of ['listing.time.memory', 'listing.time.fs', 'listing.calls.fs']) {
      expect(['PASS', 'MISS'], id).toContain(results.targets.find((t) => t.id === id)?.verdict);
    }
    expect(results.targets.find((t) => t.id === 'workers.scaling')?.note).toBe('this profile runs one worker count only');
    // No Swift in smoke: its targets are not run, never passed.
    expect(results.targets.find((t) => t.id === 'e2e.upload.swift')?.verdict).toBe('NOT RUN');
    // Complete moved no part byte on either backend, and the report says so.
    const zeroRead = results.targets.filter((t) => t.id.startsWith('zero-read.'));
    expect(zeroRead.map((t) => t.verdict)).toEqual(['PASS', 'PASS']);
    // End to end is not part of smoke: reported as not run, never as a pass.
    expect(results.targets.find((t) => t.id === 'e2e.upload')?.verdict).toBe('NOT RUN');

    const report = await readFile(join(latest, 'report.md'), 'utf8');
    expect(report).toContain('# mpu benchmark report — smoke profile');
    expect(report).toContain('## Targets: DESIGN §8 and scale-up');
    expect(report).toContain('## Workers');
    expect(report).toMatch(/\| ListMultipartUploads last page \(key \+ upload-id markers\), 250 uploads \(fs\) \| ms \| [\d.]+ \(/);
    expect(report).toMatch(/\| fs \| 2MiB \| 8 × 256KiB \| [\d.]+ \(/);

    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(1);
    expect(results.charts).toEqual(expect.arrayContaining(svgs));
    const svg = await readFile(join(latest, 'assembly-throughput.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('fs');
    expect(svg.length).toBeGreaterThan(2000);
  });
});
