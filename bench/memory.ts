/**
 * Peak resident memory of this process (all threads) while a benchmark runs: the kernel's
 * high-water mark where it can be reset, else sampled every 20 ms.
 */
import { readFileSync } from 'node:fs';

export class PeakMemory {
  private peak = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage().rss);
    }, 20);
    this.timer.unref();
  }

  /** Stops sampling; the peak in MB. */
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    return this.peak / 1e6;
  }
}

/** The process's lifetime RSS high-water mark in MB (Linux), or undefined. */
export function lifetimePeakMb(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1000 : undefined;
  } catch {
    return undefined;
  }
}
