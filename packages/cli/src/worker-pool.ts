import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** The message a worker sends the primary once its server listens. */
export interface WorkerReady {
  readonly type: 'mpu-worker-ready';
  readonly url: string;
}

/** Environment variable telling a worker which slot it fills (kept across restarts). */
export const WORKER_INDEX_ENV = 'MPU_WORKER_INDEX';

export interface WorkerPool {
  readonly url: string;
  /** SIGTERM every worker (each drains its in-flight requests) and wait for all to exit. */
  close(): Promise<void>;
}

/**
 * The primary of `mpu serve --workers N`: forks N copies of this program (`node:cluster`
 * re-runs the same entry point and arguments), which share the listening port — the primary
 * hands connections to them (https://nodejs.org/api/cluster.html#how-it-works). Each worker
 * opens its own store and engine. Resolves once every worker is listening; a worker that
 * dies before that fails the start (its own error is on stderr). After that, a worker that
 * dies unexpectedly is logged and restarted in its slot.
 */
export function startWorkerPool(count: number, logger: Logger): Promise<WorkerPool> {
  const slots = new Map<Worker, number>();
  let stopping = false;
  let started = false;
  const fork = (index: number): void => {
    slots.set(cluster.fork({ [WORKER_INDEX_ENV]: String(index) }), index);
  };

  return new Promise<WorkerPool>((resolve, reject) => {
    const ready = new Set<number>();
    cluster.on('message', (worker, message: Partial<WorkerReady>) => {
      if (message.type !== 'mpu-worker-ready' || started) return;
      ready.add(slots.get(worker) ?? -1);
      if (ready.size < count) return;
      started = true;
      resolve({ url: message.url ?? '', close });
    });
    cluster.on('exit', (worker, code, signal) => {
      const index = slots.get(worker);
      slots.delete(worker);
      if (stopping || index === undefined) return;
      if (!started) {
        stopping = true;
        for (const other of slots.keys()) other.process.kill('SIGTERM');
        reject(new Error(`worker ${index} exited (code ${code}, signal ${signal}) before it was ready`));
        return;
      }
      logger.warn({ worker: index, pid: worker.process.pid, code, signal }, 'worker died unexpectedly: restarting it');
      fork(index);
    });
    for (let index = 0; index < count; index++) fork(index);
  });

  function close(): Promise<void> {
    stopping = true;
    const exits = [...slots.keys()].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) resolve();
      else worker.once('exit', () => resolve());
    }));
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
    return Promise.all(exits).then(() => undefined);
  }
}
