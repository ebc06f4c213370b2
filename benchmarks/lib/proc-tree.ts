/**
 * A server's whole process tree from /proc (Linux): a cluster primary with its workers, or Swift's
 * proxy/object/container/account servers with theirs. CPU time and RSS are summed over the tree,
 * because with workers the primary alone does almost none of the work.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly cpuSeconds: number;
}

// /proc/<pid>/stat: `pid (comm) state ppid …`; comm may hold spaces and parentheses, so the
// fields are counted from the last ')'. utime and stime are fields 14 and 15 (proc(5)).
function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  } catch {
    return undefined; // exited
  }
}

/** `root` and every descendant still running. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}



/** utime + stime of every process in the trees of `roots`, in seconds. */
export function treeCpuSeconds(roots: readonly number[]): number {
  let total = 0;
  for (const root of roots) for (const pid of processTree(root)) total += readStat(pid)?.cpuSeconds ?? 0;
  return total;
}

/** VmRSS summed over the trees of `roots`, in bytes. */
export function treeRss(roots: readonly number[]): number {
  let total = 0;
  for (const root of roots) {
    for (const pid of processTree(root)) {
      try {
        const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        total += match ? Number(match[1]) * 1024 : 0;
      } catch {
        // exited
      }
    }
  }
  return total;
}

/** Descendants of `root` running the same executable as this process (cluster workers, not tools such as esbuild). */
export function nodeDescendants(root: number): number[] {
  return processTree(root).slice(1).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === process.execPath;
    } catch {
      return false;
    }
  });
}
