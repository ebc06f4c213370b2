import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Logger, type MaintenanceReport, MemoryStore } from '@mpu/core';
import { makeEngine } from './engine-helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const DAY = 24 * 60 * 60 * 1000;

/** A logger that keeps what it was told. */
function recordingLogger(): Logger & { lines: { level: string; msg?: string; obj: object }[] } {
  const lines: { level: string; msg?: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('maintenance', () => {
  it('runMaintenance aborts uploads that lifecycle rules expire, and reports it to the logger', async () => {
    const logger = recordingLogger();
    const { engine, clock } = makeEngine({ logger });
    await engine.createBucket('bucket');
    await engine.putBucketLifecycle('bucket', [{ id: 'one-day', status: 'Enabled', prefix: '', abortIncompleteDaysAfterInitiation: 1 }]);
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    expect(await engine.runMaintenance()).toMatchObject({ abortedUploads: 0 });
    clock.now = new Date(clock.now.getTime() + 2 * DAY);
    expect(await engine.runMaintenance()).toMatchObject({ abortedUploads: 1, startedAt: clock.now });
    expect((await engine.listMultipartUploads({ bucket: 'bucket' })).uploads).toEqual([]);
    await expect(engine.listParts(upload)).rejects.toMatchObject({ code: 'NoSuchUpload' });
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'info', obj: expect.objectContaining({ abortedUploads: 1 }) })]);
  });

  it('startMaintenance runs on its interval, never twice at once, logs failures, and stops', async () => {
    vi.useFakeTimers();
    const logger = recordingLogger();
    const store = new MemoryStore();
    const { engine } = makeEngine({ logger, store });
    await engine.createBucket('bucket');
    const reports: MaintenanceReport[] = [];
    const handle = engine.startMaintenance({ intervalMs: 1000, onRun: (report) => reports.push(report) });
    await vi.advanceTimersByTimeAsync(999);
    expect(reports).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(reports).toHaveLength(3);

    // A failing run is logged and the next one still comes.
    const listRecords = vi.spyOn(store, 'listRecords').mockImplementationOnce(() => { throw new Error('store down'); });
    await vi.advanceTimersByTimeAsync(1000);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ msg: expect.stringMatching(/maintenance run failed/) })]);
    listRecords.mockRestore();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toHaveLength(4);

    await handle.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reports).toHaveLength(4);
  });

  it('refuses a non-positive interval', () => {
    const { engine } = makeEngine();
    expect(() => engine.startMaintenance({ intervalMs: 0 })).toThrow(RangeError);
  });
});
