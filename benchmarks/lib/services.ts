import type { ChildProcess } from 'node:child_process';
import { type RunningAzurite, startAzurite as startAzuriteRunner } from '@mpu/azurite-runner';
import { startGcsTestServer, type GcsTestServer } from '@mpu/gcs-test-server';


// Child processes this run started: killed if the run exits early, so no emulator outlives it.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Registers a child to be killed if this process exits first. */
export function ownChild(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

export type Azurite = RunningAzurite;

/** Azurite (see @mpu/azurite-runner), its process killed if this run exits early. */
export function startAzurite(): Promise<Azurite> {
  return startAzuriteRunner({ onSpawn: ownChild });
}

export const GCS_BUCKET = 'mpu-bench';

export function startGcs(): Promise<GcsTestServer> {
  return startGcsTestServer({ host: '127.0.0.1', port: 0, buckets: [GCS_BUCKET] });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
