/**
 * Thrown by `LevelStore.open` when another process (or another open in this process) holds
 * the LevelDB lock on the directory: one process owns a LevelStore directory at a time.
 */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly location: string,
    options?: ErrorOptions,
  ) {
    super(
      `LevelStore directory ${JSON.stringify(location)} is locked: another process (or another ` +
        'LevelStore in this process) has it open. One process owns a LevelStore directory at a ' +
        'time; close the other one, or give this one its own directory.',
      options,
    );
  }
}

/** Thrown by `LevelStore.open` for any other failure to open the directory (permissions, not a directory, corruption). */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    readonly location: string,
    options: ErrorOptions & { cause: unknown },
  ) {
    super(`cannot open LevelStore directory ${JSON.stringify(location)}: ${describeCause(options.cause)}`, options);
  }
}

/** The innermost message: LevelDB's own reason sits under "Database failed to open". */
function describeCause(error: unknown): string {
  let message = String(error);
  for (let current: unknown = error; current instanceof Error; current = current.cause) message = current.message;
  return message;
}

/** Thrown by `read` when a part's chunks are not all there (the database lost data). */
export class MissingChunkError extends Error {
  override readonly name = 'MissingChunkError';
  constructor(
    readonly upload: string,
    readonly partId: string,
    readonly chunkIndex: number,
  ) {
    super(`chunk ${chunkIndex} of part ${JSON.stringify(partId)} (upload ${JSON.stringify(upload)}) is missing or has the wrong size`);
  }
}

/** True when `error` (or its cause) is LevelDB refusing to open because of its LOCK file. */
export function isLockedError(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === 'LEVEL_LOCKED') return true;
  }
  return false;
}
