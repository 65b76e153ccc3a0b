/**
 * Debian's headless Chromium driven by its command-line flags: `--dump-dom` (the DOM after
 * parsing, serialized) and `--screenshot`. Each run gets a fresh profile directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What this machine needs for headless Chromium, as root and without a GPU or network. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Runs Chromium without blocking the event loop (the page may be served by this very process). */
async function runChromium(bin: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'vmc-chromium-'));
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(bin, [...FLAGS, `--user-data-dir=${profile}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Loads `url` and resolves with the serialized DOM. */
export async function dumpDom(bin: string, url: string): Promise<string> {
  const r = await runChromium(bin, ['--dump-dom', url]);
  if (r.status !== 0 || !r.stdout.includes('<html')) throw new Error(`chromium --dump-dom ${url} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Loads `url` and writes a PNG screenshot of `width`×`height` to `file`. */
export async function screenshot(bin: string, url: string, file: string, width = 1280, height = 900): Promise<void> {
  const r = await runChromium(bin, [`--screenshot=${file}`, `--window-size=${width},${height}`, '--hide-scrollbars', url]);
  if (r.status !== 0) throw new Error(`chromium --screenshot ${url} exited ${r.status}: ${r.stderr.slice(-2000)}`);
}
