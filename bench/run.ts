/**
 * `npm run bench`: the performance and accuracy measurements of the issues, each beside the
 * named alternative in the same run. Parts: render, scan, archive (all by default).
 *
 *     npm run bench                 # everything (about 20–40 minutes on 2 cores)
 *     npm run bench -- render       # one part
 *     npm run bench -- scan --pages 1000
 *     npm run bench -- archive --megabytes 1024
 *
 * Environment: BAGIT_PY=/path/to/bagit.py to compare with bagit-python (not installable
 * from Debian or npm; see docs/archive.md).
 */
import { lifetimePeakMb } from './memory.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const parts = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const wanted = (part: string) => parts.length === 0 || parts.includes(part);

console.log(`huifang bench, ${new Date().toISOString()}, Node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);

if (wanted('render')) {
  const { runRenderBench, formatRenderBench } = await import('./render.ts');
  for (const line of formatRenderBench(await runRenderBench(option('letters', 10_000)))) console.log(line);
}

if (wanted('scan')) {
  const { runScanAccuracy } = await import('./scan-accuracy.ts');
  const pages = option('pages', 1000);
  console.log(`scan: accuracy over ${pages} generated pages (simulated returns against their ground truth)`);
  const r = await runScanAccuracy({ pages, onProgress: (line) => console.log(`  ${line}`) });
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  console.log(`  identification ${pct(r.identificationRate)} of ${r.qrPages} coded pages (goal ≥ 99.9%), misidentified ${r.misidentified}`);
  console.log(`  ticks ${pct(r.ticks.accuracy)} of ${r.ticks.decided} decided (goal ≥ 99.5%)`);
  console.log(`  signatures ${pct(r.signatures.accuracy)} of ${r.signatures.decided} decided (goal ≥ 99%), blank boxes decided signed: ${r.signatures.blankDecidedSigned} (goal 0)`);
  console.log(`  seals ${pct(r.seals.accuracy)} of ${r.seals.decided} decided, blank decided sealed: ${r.seals.blankDecidedSealed}; red seals on colour scans ${pct(r.redSeals.accuracy)} of ${r.redSeals.decided} (goal ≥ 99%)`);
  console.log(`  sent to review ${pct(r.reviewShare)} of ${r.formPages} form pages (goal ≤ 3%)`);
  console.log(`  speed ${r.pagesPerSecondAt300?.toFixed(1) ?? '?'} pages/s at 300 dpi (goal ≥ 10); read ${r.msPerPage.read.toFixed(0)} ms/page`);
}

if (wanted('archive')) {
  const { runArchiveBench } = await import('./archive.ts');
  await runArchiveBench({ megabytes: option('megabytes', 1024) });
}

console.log(`peak memory of this process: ${lifetimePeakMb()?.toFixed(0) ?? '?'} MB`);
