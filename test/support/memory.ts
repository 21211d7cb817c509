/**
 * Resident memory of other processes, sampled from /proc/<pid>/status: VmHWM (the kernel's own
 * high-water mark, so sampling only has to catch the process alive) and VmRSS over time (to
 * tell a bounded process from one that keeps growing).
 */
import { readFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** VmHWM of `pid` in bytes, or null when the process is gone (or /proc is unavailable). */
export function peakRss(pid: number): number | null {
  return statusField(pid, 'VmHWM');
}

export interface MemoryReport {
  /** Largest VmHWM seen (bytes). */
  readonly peak: number;
  /** Largest VmRSS sampled in the first and in the second half of the watch (bytes). */
  readonly firstHalf: number;
  readonly secondHalf: number;
}

/** Samples named processes until stopped. */
export class MemorySampler {
  private readonly pids = new Map<string, number>();
  private readonly peaks = new Map<string, number>();
  private readonly series = new Map<string, { t: number; rss: number }[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();

  constructor(intervalMs = 500) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  watch(name: string, pid: number): void {
    this.pids.set(name, pid);
    this.sample();
  }

  sample(): void {
    const t = Date.now();
    for (const [name, pid] of this.pids) {
      const hwm = peakRss(pid);
      if (hwm !== null) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, hwm));
      const rss = statusField(pid, 'VmRSS');
      if (rss !== null) {
        const s = this.series.get(name) ?? [];
        s.push({ t, rss });
        this.series.set(name, s);
      }
    }
  }

  /** Per watched name (names never seen alive are absent). */
  stop(): Map<string, MemoryReport> {
    this.sample();
    clearInterval(this.timer);
    const middle = (this.started + Date.now()) / 2;
    const out = new Map<string, MemoryReport>();
    for (const [name, peak] of this.peaks) {
      const s = this.series.get(name) ?? [];
      const max = (xs: { rss: number }[]) => xs.reduce((m, x) => Math.max(m, x.rss), 0);
      out.set(name, {
        peak,
        firstHalf: max(s.filter((x) => x.t <= middle)),
        secondHalf: max(s.filter((x) => x.t > middle)),
      });
    }
    return out;
  }
}
