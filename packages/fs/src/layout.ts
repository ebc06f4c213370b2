import { join, resolve } from 'node:path';
import { LOCK_FILE } from './dir-lock.js';

/**
 * The data directory:
 *
 *   <root>/mpu.lock                         owner pid, hostname, start time
 *   <root>/tmp/                             temp files being written (emptied on open)
 *   <root>/records/d<hex>/…/r<hex>          one file per record (see key-paths.ts)
 *   <root>/data/<upload>/parts/<part>       one file per staged part
 *   <root>/data/<upload>/manifests/<digest> one file per assembled object
 *   <root>/deleting/<upload>.<digest>       manifests whose deleteData is in progress
 *
 * Everything lives on one volume, so every `rename` between these directories is atomic.
 */
export interface Layout {
  readonly root: string;
  readonly lockPath: string;
  readonly tmpDir: string;
  readonly recordsDir: string;
  readonly dataDir: string;
  readonly deletingDir: string;
}

export function layoutOf(root: string): Layout {
  const absolute = resolve(root);
  return {
    root: absolute,
    lockPath: join(absolute, LOCK_FILE),
    tmpDir: join(absolute, 'tmp'),
    recordsDir: join(absolute, 'records'),
    dataDir: join(absolute, 'data'),
    deletingDir: join(absolute, 'deleting'),
  };
}

export function uploadDir(layout: Layout, uploadName: string): string {
  return join(layout.dataDir, uploadName);
}

export function partsDir(layout: Layout, uploadName: string): string {
  return join(layout.dataDir, uploadName, 'parts');
}

export function manifestsDir(layout: Layout, uploadName: string): string {
  return join(layout.dataDir, uploadName, 'manifests');
}

export function deletingPath(layout: Layout, uploadName: string, digest: string): string {
  return join(layout.deletingDir, `${uploadName}.${digest}`);
}
