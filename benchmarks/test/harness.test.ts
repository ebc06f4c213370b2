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
  it('runs every local suite on tiny sizes and writes JSON, Markdown and SVG charts', async () => {
    outDir = await mkdtemp(join(tmpdir(), 'mpu-bench-smoke-'));
    const { stderr } = await run(process.execPath, ['--conditions=mpu-source', '--import', 'tsx', RUN_TS, '--smoke', '--out', outDir], {
      cwd: REPO_ROOT,
      timeout: 50_000,
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
    ]));
    // Complete moved no part byte on either backend, and the report says so.
    const zeroRead = results.targets.filter((t) => t.id.startsWith('zero-read.'));
    expect(zeroRead.map((t) => t.verdict)).toEqual(['PASS', 'PASS']);
    // End to end is not part of smoke: reported as not run, never as a pass.
    expect(results.targets.find((t) => t.id === 'e2e.upload')?.verdict).toBe('NOT RUN');

    const report = await readFile(join(latest, 'report.md'), 'utf8');
    expect(report).toContain('# mpu benchmark report — smoke profile');
    expect(report).toContain('## DESIGN §8 targets');
    expect(report).toMatch(/\| fs \| 2MiB \| 8 × 256KiB \| [\d.]+ \(/);

    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(1);
    expect(results.charts).toEqual(expect.arrayContaining(svgs));
    const svg = await readFile(join(latest, 'assembly-throughput.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('fs');
    expect(svg.length).toBeGreaterThan(2000);
  }, 60_000);
});
