import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The `mpu serve` logger: human-readable lines when its output is a terminal (someone is
 * watching), one JSON object per line otherwise (a log collector is reading).
 */
export function createLogger(level: string, output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Logger {
  if (output.isTTY) return pino({ level }, pretty({ destination: output, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  return pino({ level }, output);
}
