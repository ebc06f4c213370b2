import { availableParallelism } from 'node:os';
import { type BackendType, ConfigError } from './config.js';

/**
 * Backends one process owns: level keeps its own exclusive lock on the database directory,
 * memory lives in one process's heap (each worker would serve a different store).
 */
const SINGLE_PROCESS_BACKENDS: ReadonlySet<BackendType> = new Set(['level', 'memory']);

export interface WorkerPlan {
  readonly workers: number;
  /** Said at info level when the default was lowered for the backend. */
  readonly note?: string;
}

/**
 * How many processes `mpu serve` runs: the configured number, else one per core
 * (`os.availableParallelism()`). An explicit number above 1 on a single-process backend is a
 * configuration error; the default quietly becomes 1 there (with a note to log).
 */
export function planWorkers(backend: BackendType, configured: number | undefined, cores = availableParallelism()): WorkerPlan {
  const single = SINGLE_PROCESS_BACKENDS.has(backend);
  if (configured !== undefined) {
    if (configured > 1 && single) {
      throw new ConfigError(`the ${backend} backend cannot be shared by several processes; use --workers 1 (asked for ${configured})`);
    }
    return { workers: configured };
  }
  if (single) return { workers: 1, note: `one worker: the ${backend} backend cannot be shared by several processes` };
  return { workers: Math.max(1, cores) };
}
