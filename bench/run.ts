/**
 * `npm run bench`: the performance and accuracy measurements of the issues, each beside the
 * named alternative in the same run. Parts: startup, register, render, scan, archive, plan, import (all by default).
 *
 *     npm run bench                 # everything (about 20–40 minutes on 2 cores)
 *     npm run bench -- render       # one part
 *     npm run bench -- scan --pages 1000 [--files 60] [--scan-pages 1000]
 *     npm run bench -- archive --megabytes 1024
 *     npm run bench -- plan --accounts 1000000 [--xlsx-accounts 200000]
 *     npm run bench -- import [--accounts 1000000] [--postgres]
 *     npm run bench -- register [--visits 1000000] [--branches 250] [--runs 5] [--rebuild] [--register postgres]
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

console.log(
  `huifang bench, ${new Date().toISOString()}, Node ${process.version}, load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

if (wanted('startup')) {
  const { runStartupBench, formatStartupBench } = await import('./startup.ts');
  console.log('startup: the installed command (dist/), medians of repeated runs');
  for (const line of formatStartupBench(runStartupBench(option('runs', 15)))) console.log(line);
}

if (wanted('register')) {
  const { runRegisterBench } = await import('./register.ts');
  console.log('register: the installed command (dist/) on a large register, medians and maxima of repeated runs');
  const at = args.indexOf('--register');
  const register = at >= 0 ? args[at + 1] : 'sqlite';
  if (register !== 'sqlite' && register !== 'postgres')
    throw new Error(`--register ${register}: the register bench runs on sqlite (always) and postgres`);
  for (const line of await runRegisterBench({
    visits: option('visits', 1_000_000),
    branches: option('branches', 250),
    runs: option('runs', 5),
    rebuild: args.includes('--rebuild'),
    register,
  }))
    console.log(line);
}

if (wanted('render')) {
  const { runRenderBench, formatRenderBench } = await import('./render.ts');
  for (const line of formatRenderBench(await runRenderBench(option('letters', 10_000)))) console.log(line);
}

if (wanted('scan')) {
  const { runScanAccuracy, goalLines } = await import('./scan-accuracy.ts');
  const pages = option('pages', 1000);
  const seed = option('seed', 1);
  const workDir = `/tmp/huifang-scan-bench-${process.pid}`;
  console.log(
    `scan: accuracy over ${pages} generated pages, seed ${seed} (simulated returns against their ground truth)`,
  );
  const r = await runScanAccuracy({ pages, seed, workDir, onProgress: (line) => console.log(`  ${line}`) });
  for (const line of goalLines(r)) console.log(`  ${line}`);
  const { imageMagickBench } = await import('./scan-imagemagick.ts');
  for (const line of await imageMagickBench(workDir, option('magick-pages', 4), (l) => console.log(`  ${l}`)))
    console.log(`  ${line}`);
  const { runScanSpeed, formatSpeed } = await import('./scan-speed.ts');
  console.log(`scan: huifang ingest of distinct 300 dpi colour JPEG scans, beside zbarimg on the same files`);
  for (const line of formatSpeed(
    await runScanSpeed({
      files: option('files', 60),
      pages: option('scan-pages', 1000),
      log: (l) => console.log(`  ${l}`),
    }),
  ))
    console.log(`  ${line}`);
}

if (wanted('archive')) {
  const { runArchiveBench } = await import('./archive.ts');
  await runArchiveBench({ megabytes: option('megabytes', 1024) });
}

if (wanted('plan')) {
  const { runPlanBench } = await import('./plan.ts');
  await runPlanBench({ accounts: option('accounts', 1_000_000), xlsxAccounts: option('xlsx-accounts', 200_000) });
}

if (wanted('import')) {
  const { runImportBench } = await import('./import.ts');
  for (const line of await runImportBench({
    accounts: option('accounts', 1_000_000),
    postgres: args.includes('--postgres'),
  }))
    console.log(line);
}

console.log(`peak memory of this process: ${lifetimePeakMb()?.toFixed(0) ?? '?'} MB`);
