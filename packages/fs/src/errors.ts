/**
 * Thrown by `FsStore.open` when a live process of an older mpu (before layout 2, one process
 * per directory) holds the directory's `mpu.lock`: it would remove our temp files on its next open.
 */
export class DataDirectoryLockedError extends Error {
  override readonly name = 'DataDirectoryLockedError';
  constructor(
    readonly root: string,
    readonly lockPath: string,
    readonly holder: { readonly pid: number; readonly hostname: string; readonly startedAt: string } | undefined,
  ) {
    super(
      holder
        ? `data directory ${root} is in use by pid ${holder.pid} on ${holder.hostname} (since ${holder.startedAt}); ` +
            `it is an mpu older than layout 2, which cannot share the directory. Stop it first; if it is gone, delete ${lockPath}.`
        : `data directory ${root} is being locked by another process right now (${lockPath} is still empty)`,
    );
  }
}

/** Thrown when the root path is too long for the deepest record path to fit in PATH_MAX. */
export class RootPathTooLongError extends RangeError {
  override readonly name = 'RootPathTooLongError';
  constructor(
    readonly root: string,
    readonly maxLength: number,
  ) {
    super(`FsStore root ${JSON.stringify(root)} is ${root.length} characters; at most ${maxLength} leave room for the longest record key`);
  }
}

/** Thrown when a file in the data directory is not in the format this version writes. */
export class CorruptFileError extends Error {
  override readonly name = 'CorruptFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Thrown by `FsStore.open` when the directory was written in a layout this version cannot share. */
export class DataDirectoryLayoutError extends Error {
  override readonly name = 'DataDirectoryLayoutError';
  constructor(
    readonly root: string,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`data directory ${root} has layout ${JSON.stringify(found)}; this mpu reads and writes ${JSON.stringify(expected)}`);
  }
}
