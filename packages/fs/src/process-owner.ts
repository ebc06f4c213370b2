import { readFileSync } from 'node:fs';

/**
 * Who owns a temp file, a lock file, a read lease or a membership entry in the data
 * directory: `<pid>-<start>`, where `start` is the process start time in clock ticks since
 * boot (field 22 of /proc/<pid>/stat, see proc(5)). The pid alone is not enough: after a
 * crash the pid may be reused, and a reused pid must not keep a dead owner's lock alive.
 * Where /proc is missing, `start` is 0 and liveness falls back to the pid.
 */
export const OWNER_PATTERN = /^(\d+)-(\d+)$/;

function startTicks(pid: number | 'self'): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 overall; fields[0] is field 3
}

/** This process, as written into the files it owns. */
export const PROCESS_OWNER = `${process.pid}-${startTicks('self') ?? '0'}`;

/** Whether the process named by `owner` (`<pid>-<start>`) is alive on this host. Unparseable owners are dead. */
export function isOwnerAlive(owner: string): boolean {
  if (owner === PROCESS_OWNER) return true;
  const match = OWNER_PATTERN.exec(owner);
  if (!match) return false;
  const pid = Number(match[1]);
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = match[2];
  if (start === '0') return true;
  const actual = startTicks(pid);
  return actual === undefined || actual === start;
}
