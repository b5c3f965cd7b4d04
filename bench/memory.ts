/**
 * Peak resident memory of this process (all threads) while a benchmark runs: the kernel's
 * high-water mark where it can be reset, else sampled every 20 ms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * How to run the installed command (bin/huifang, dist/) in a process of its own so that it
 * reports its CPU time and peak memory on the last line of its standard error at exit
 * (`peak-on-exit.mjs`, read back with `measuredAtExit`).
 */
export function measuredCommand(argv: readonly string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [
      '--import',
      join(import.meta.dirname, 'peak-on-exit.mjs'),
      join(import.meta.dirname, '..', 'bin', 'huifang'),
      ...argv,
    ],
    env: { ...process.env, HUIFANG_NOW: '2026-11-30T04:00:00Z', HUIFANG_USER: '顾文斌' },
  };
}

/** What a `measuredCommand` reported at its exit. */
export function measuredAtExit(stderr: string): { benchCpuSeconds: number; benchPeakMb: number } {
  return JSON.parse(stderr.trim().split('\n').pop()!) as { benchCpuSeconds: number; benchPeakMb: number };
}
