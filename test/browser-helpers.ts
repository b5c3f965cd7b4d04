/**
 * Headless Chromium for the page tests (Debian's `chromium`, installed by .ci/run): the DOM
 * after the page is laid out, and a screenshot kept under test-output/ for people to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's path, or undefined when none is installed (the tests then skip, saying so). */
export const CHROMIUM = CANDIDATES.find((p) => existsSync(p));

/** Where screenshots are kept (gitignored). */
export const TEST_OUTPUT = resolve('test-output');

function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'huifang-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--hide-scrollbars',
        ...args,
      ],
      { encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`chromium ${args.at(-1)} failed (exit ${r.status}): ${r.stderr.slice(-800)}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after load, as Chromium serialises it. */
export function renderedDom(file: string): string {
  return chromium(['--virtual-time-budget=5000', '--dump-dom', pathToFileURL(file).href]);
}

/** A PNG of the page (`width`×`height` CSS pixels) under test-output/; returns its path. */
export function screenshot(file: string, name: string, width = 1100, height = 2400): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const out = join(TEST_OUTPUT, name);
  chromium([`--window-size=${width},${height}`, `--screenshot=${out}`, pathToFileURL(file).href]);
  return out;
}

/** The page printed to PDF by Chromium (its print CSS applies); returns the PDF's path. */
export function printToPdf(file: string, name: string): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const out = join(TEST_OUTPUT, name);
  chromium(['--no-pdf-header-footer', `--print-to-pdf=${out}`, pathToFileURL(file).href]);
  return out;
}
