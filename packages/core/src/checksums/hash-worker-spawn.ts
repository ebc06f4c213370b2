import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const HERE = import.meta.url;
/** Running from TypeScript sources (vitest, `node --import tsx`) rather than from `dist`. */
const FROM_SOURCES = HERE.endsWith('.ts');

/**
 * tsx's module API when running from sources. A worker thread does not inherit the parent's
 * loader hooks (and `--import tsx` in its execArgv registers them too late for its entry
 * module), so the worker registers tsx itself before importing the entry.
 */
function tsxApiUrl(): string | undefined {
  try {
    return pathToFileURL(createRequire(HERE).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  } catch {
    return undefined;
  }
}

/** Whether `spawnHashWorker` can work here (false: sources without tsx installed). */
export function hashWorkersAvailable(): boolean {
  return !FROM_SOURCES || tsxApiUrl() !== undefined;
}

/** A new hashing worker thread running `hash-worker.ts` (`hash-worker.js` once built). */
export function spawnHashWorker(): Worker {
  if (!FROM_SOURCES) return new Worker(new URL('./hash-worker.js', HERE));
  const tsx = tsxApiUrl();
  if (!tsx) throw new Error('hash workers need tsx to run from TypeScript sources');
  const entry = new URL('./hash-worker.ts', HERE).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
