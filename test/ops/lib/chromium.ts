/**
 * Debian's headless Chromium driven by its command-line flags: `--dump-dom` (the DOM after
 * parsing, serialized) and `--screenshot`. Each run gets a fresh profile directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type RunResult } from '../../helpers/processes.js';

/** What this machine needs for headless Chromium, as root and without a GPU or network. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Runs Chromium without blocking the event loop (the page may be served by this very process). */
async function runChromium(bin: string, args: string[]): Promise<RunResult> {
  const profile = mkdtempSync(join(tmpdir(), 'vmc-chromium-'));
  try {
    return await runProcess(bin, [...FLAGS, `--user-data-dir=${profile}`, ...args], { timeoutMs: 90_000 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Loads `url` and resolves with the serialized DOM. */
export async function dumpDom(bin: string, url: string): Promise<string> {
  const r = await runChromium(bin, ['--dump-dom', url]);
  if (r.code !== 0 || !r.stdout.includes('<html')) throw new Error(`chromium --dump-dom ${url} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Loads `url` and writes a PNG screenshot of `width`×`height` to `file`. */
export async function screenshot(bin: string, url: string, file: string, width = 1280, height = 900): Promise<void> {
  const r = await runChromium(bin, [`--screenshot=${file}`, `--window-size=${width},${height}`, '--hide-scrollbars', url]);
  if (r.code !== 0) throw new Error(`chromium --screenshot ${url} exited ${r.code}: ${r.stderr.slice(-2000)}`);
}
