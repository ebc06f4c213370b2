import { join, resolve } from 'node:path';

/**
 * The data directory:
 *
 *   <root>/mpu-layout                       layout version ("mpu-fs 2")
 *   <root>/members/<owner>.<random>         one per open store (owner = <pid>-<start ticks>)
 *   <root>/locks/<sha256>.lock              per record key / per upload, held during a change
 *   <root>/reading/<upload>.<digest>.<owner>.<random>  one per read in progress (a lease)
 *   <root>/tmp/<owner>-<random>.tmp         temp files being written (dead owners' removed on open)
 *   <root>/records/d<hex>/…/r<hex>          one file per record (see key-paths.ts)
 *   <root>/data/<upload>/parts/<part>       one file per staged part
 *   <root>/data/<upload>/manifests/<digest> one file per assembled object
 *   <root>/deleting/<upload>.<digest>       manifests whose deleteData is in progress
 *
 * Everything lives on one volume, so every `rename` between these directories is atomic.
 */
export interface Layout {
  readonly root: string;
  readonly membersDir: string;
  readonly locksDir: string;
  readonly readingDir: string;
  readonly tmpDir: string;
  readonly recordsDir: string;
  readonly dataDir: string;
  readonly deletingDir: string;
}

export function layoutOf(root: string): Layout {
  const absolute = resolve(root);
  return {
    root: absolute,
    membersDir: join(absolute, 'members'),
    locksDir: join(absolute, 'locks'),
    readingDir: join(absolute, 'reading'),
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
