/**
 * The logger mpu writes to: the method shapes of pino (https://getpino.io/#/docs/api?id=logger),
 * so a pino logger (or a child of one) can be passed as is.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function stderrLine(level: 'warn' | 'error', obj: object, msg?: string): void {
  const fields = Object.fromEntries(Object.entries(obj).map(([name, value]) => [name, value instanceof Error ? errorFields(value) : value]));
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...fields, ...(msg === undefined ? {} : { msg }) })}\n`);
}

function errorFields(error: Error): Record<string, unknown> {
  return { type: error.name, message: error.message, stack: error.stack, ...(error.cause instanceof Error ? { cause: errorFields(error.cause) } : {}) };
}

/**
 * The default where none is given: warnings and errors as JSON lines on stderr, nothing else,
 * so that an unexpected failure is never silent in an embedder's process.
 */
export const stderrLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: (obj: object, msg?: string) => stderrLine('warn', obj, msg),
  error: (obj: object, msg?: string) => stderrLine('error', obj, msg),
});

/** Discards everything (tests, or an embedder that really wants silence). */
export const silentLogger: Logger = Object.freeze({ debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
