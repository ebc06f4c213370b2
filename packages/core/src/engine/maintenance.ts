import type { EngineContext } from './engine-context.js';
import { applyLifecycle } from './upload-operations.js';

/**
 * Background work the S3 contract needs and no request triggers: aborting uploads that bucket
 * lifecycle rules expire, finishing Completes interrupted by a crash (`stuckCompletionMs`) and
 * dropping completion tombstones after `completedUploadRetentionMs`. `mpu serve` runs it on a
 * timer; an embedder runs it with `engine.startMaintenance()` (or `runMaintenance()` from its
 * own scheduler). Every step is a conditional write, so several processes may run it at once.
 */
export interface MaintenanceReport {
  /** Uploads aborted by lifecycle rules. */
  readonly abortedUploads: number;
  readonly startedAt: Date;
  readonly durationMs: number;
}

export interface MaintenanceOptions {
  /** Pause between the end of one run and the start of the next. Default 60 000 (1 min). */
  readonly intervalMs?: number;
  /** Called after every run that did not fail. */
  readonly onRun?: (report: MaintenanceReport) => void;
}

export interface MaintenanceHandle {
  /** No further runs; resolves when the run in progress (if any) has ended. */
  stop(): Promise<void>;
}

export const DEFAULT_MAINTENANCE_INTERVAL_MS = 60_000;

export async function runMaintenance(ctx: EngineContext): Promise<MaintenanceReport> {
  const startedAt = ctx.now();
  const started = performance.now();
  const abortedUploads = await applyLifecycle(ctx, startedAt);
  const report: MaintenanceReport = { abortedUploads, startedAt, durationMs: Math.round(performance.now() - started) };
  if (abortedUploads > 0) ctx.logger.info({ ...report }, 'maintenance aborted incomplete uploads under lifecycle rules');
  return report;
}

/** Runs maintenance every `intervalMs` (never two runs at once); failures are logged and retried next time. */
export function startMaintenance(ctx: EngineContext, options: MaintenanceOptions = {}): MaintenanceHandle {
  const intervalMs = options.intervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`maintenance intervalMs must be a positive number, got ${intervalMs}`);
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runMaintenance(ctx).then(
        (report) => options.onRun?.(report),
        (error: unknown) => ctx.logger.error({ err: error }, 'maintenance run failed; retrying at the next interval'),
      ).finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    // Maintenance alone must not keep a process alive.
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
