import { readFileSync, writeFileSync } from 'node:fs';

/** VmRSS and VmHWM of a process, in bytes, from /proc/<pid>/status (Linux). */
export function readRss(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false where the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS every `intervalMs` until stopped; the peak is the larger of the highest sample
 * and VmHWM (which catches spikes between samples when it could be reset first).
 */
export function sampleRss(pid: number, intervalMs = 25): { stop(): { peak: number; samples: number } } {
  const hwmReset = resetPeak(pid);
  let peak = readRss(pid).rss;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, readRss(pid).rss);
      samples++;
    } catch {
      // the process exited; the last reading stands
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        const { rss, hwm } = readRss(pid);
        peak = Math.max(peak, rss, hwmReset ? hwm : 0);
      } catch {
        // exited
      }
      return { peak, samples };
    },
  };
}
