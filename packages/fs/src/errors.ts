/** Thrown by `FsStore.open` when another live process (or store instance) holds the directory. */
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
            `only one process may open it. If that process is gone, delete ${lockPath}.`
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
