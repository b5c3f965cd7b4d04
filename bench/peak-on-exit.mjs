// Preloaded into a command the benchmark times (`node --import ./bench/peak-on-exit.mjs bin/huifang …`):
// at exit, writes the process's CPU time and peak resident memory (Linux VmHWM) to stderr
// as one JSON line, so that the command measured is the installed one, unchanged.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  const used = process.cpuUsage();
  let peakMb = null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) peakMb = Number(m[1]) / 1000;
  } catch {
    // not Linux: no peak
  }
  process.stderr.write(
    `\n${JSON.stringify({ benchCpuSeconds: (used.user + used.system) / 1e6, benchPeakMb: peakMb })}\n`,
  );
});
