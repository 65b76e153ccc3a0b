/**
 * Soak: the BUILT exporter (child process) scraping the BUILT simulator (child process) under
 * a rotating mix of faults set through the simulator's control API (`POST /_sim/faults`,
 * `DELETE /_sim/faults`, `POST /_sim/revoke-tokens`), with steady scrapes carrying a short
 * scrape-timeout header.
 *
 * Asserts: every scrape answered 200 within its deadline (+ slack), the process stays alive
 * and exits cleanly, no "unhandled" in its logs, and memory (VmRSS), open fds, sockets and
 * active handles do not grow beyond a bound between the first and the last third of the run.
 *
 * Short by default (part of `npm test`); a long run:
 *   SOAK_SECONDS=180 node --import tsx --test test/resilience/soak.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrapeUrl, type ScrapeResult } from '../helpers/exporter-harness.js';
import { cleanEnv, fdCount, readRssBytes, requireBuild, sleep, socketCount, spawnExporter, spawnSimulator } from '../helpers/processes.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? '10');
/** How long each fault stays on. */
const PHASE_MS = SECONDS >= 60 ? 2500 : 700;
/** Scrape timeout header; the budget is this minus the 0.5 s offset. */
const HEADER_SECONDS = 1;
const DEADLINE_MS = HEADER_SECONDS * 1000 - 500 + 1000; // budget + generous slack
const SCRAPERS = 2;

type FaultSpec = Record<string, unknown>;

/** The rotation: `org` is filled in round-robin where the fault is org-scoped. */
const ROTATION: ReadonlyArray<{ fault: FaultSpec; perOrg?: boolean; revoke?: boolean }> = [
  { fault: { endpoint: 'sddcs', kind: 'oversized' }, perOrg: true },
  { fault: { endpoint: 'sddcs', status: 500 } },
  { fault: { endpoint: 'sddcs', kind: 'hang' } },
  { fault: { endpoint: 'sddcs', status: 503, headers: { 'Retry-After': '1' } }, perOrg: true },
  { fault: { endpoint: 'sddcs', kind: 'truncated' } },
  { fault: { endpoint: 'token', status: 500 }, revoke: true },
  { fault: { endpoint: 'sddcs', kind: 'malformed' }, perOrg: true },
  { fault: { endpoint: 'sddcs', kind: 'reset' } },
  { fault: { endpoint: 'sddcs', status: 429 }, perOrg: true },
  { fault: { endpoint: 'sddcs', kind: 'trickle', trickleBytes: 16, trickleIntervalMs: 100 } },
  { fault: { endpoint: 'token', kind: 'hang' }, revoke: true },
  { fault: { endpoint: 'sddcs', kind: 'wrong-types' } },
  { fault: { endpoint: 'sddcs', status: 401 }, perOrg: true },
  { fault: { endpoint: 'sddcs', kind: 'empty' } },
  { fault: { endpoint: 'any', latencyMs: 1500 } },
  { fault: { endpoint: 'token', status: 401 }, perOrg: true, revoke: true },
  { fault: { endpoint: 'sddcs', status: 403 }, perOrg: true },
];

interface Sample {
  readonly at: number;
  readonly rssKiB: number;
  readonly fds: number;
  readonly sockets: number;
  readonly handles: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const max = (xs: number[]) => Math.max(...xs);
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** Sum of `nodejs_active_handles{type=…}` in a scrape. */
function activeHandles(s: ScrapeResult): number {
  return s.all('nodejs_active_handles').reduce((a, x) => a + x.value, 0);
}

test(`soak: ${SECONDS} s of rotating faults with steady scrapes`, { timeout: (SECONDS + 60) * 1000 }, async (t) => {
  requireBuild();
  const simChild = await spawnSimulator(['--listen', '127.0.0.1:0'], cleanEnv());
  const { sim } = simChild;
  const exporter = await spawnExporter(
    [
      '--web.listen-address=127.0.0.1:0',
      `--csp.url=${sim.url}`,
      `--vmc.url=${sim.url}`,
      ...sim.orgs.map((o) => `--vmc.org=${o}`),
      '--cache.ttl=0',
      '--vmc.timeout=2',
      '--cache.max-stale=5m',
      '--log.level=info',
    ],
    cleanEnv({ VMC_CLIENT_ID: sim.clientId, VMC_CLIENT_SECRET: sim.clientSecret }),
  );
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}/_sim/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    assert.ok(res.status < 300, `control ${method} ${path}: ${res.status} ${await res.text()}`);
  };

  let scrapes = 0;
  let slowest = 0;
  let upSamples = 0;
  let upOnes = 0;
  const failures: string[] = [];
  let lastBody: ScrapeResult | undefined;
  let running = true;
  const samples: Sample[] = [];
  const started = Date.now();
  let faultsCycled = 0;

  try {
    // Warm-up: one clean scrape so every org has data.
    const warm = await scrapeUrl(`${exporter.url}/metrics`, 5);
    assert.equal(warm.status, 200);
    lastBody = warm;

    const scraper = async () => {
      while (running) {
        const s = await scrapeUrl(`${exporter.url}/metrics`, HEADER_SECONDS).catch((err: unknown) => {
          failures.push(`scrape failed: ${String(err)}`);
          return undefined;
        });
        if (s) {
          scrapes++;
          slowest = Math.max(slowest, s.elapsedMs);
          if (s.status !== 200) failures.push(`status ${s.status}`);
          else if (s.elapsedMs >= DEADLINE_MS) failures.push(`answered after ${Math.round(s.elapsedMs)} ms`);
          for (const u of s.all('vmc_up')) {
            upSamples++;
            if (u.value === 1) upOnes++;
          }
          if (s.status === 200) lastBody = s;
        }
        await sleep(100);
      }
    };
    const sampler = async () => {
      while (running) {
        if (exporter.alive()) {
          samples.push({
            at: Date.now() - started,
            rssKiB: readRssBytes(exporter.pid) / 1024,
            fds: fdCount(exporter.pid),
            sockets: socketCount(exporter.pid),
            handles: lastBody ? activeHandles(lastBody) : NaN,
          });
        }
        await sleep(500);
      }
    };
    const faulter = async () => {
      let i = 0;
      while (Date.now() - started < SECONDS * 1000) {
        const step = ROTATION[i % ROTATION.length];
        if (step) {
          const fault = step.perOrg ? { ...step.fault, org: sim.orgs[i % sim.orgs.length] } : step.fault;
          await control('POST', 'faults', fault);
          if (step.revoke) await control('POST', 'revoke-tokens');
          faultsCycled++;
        }
        await sleep(PHASE_MS);
        await control('DELETE', 'faults');
        await sleep(PHASE_MS / 3);
        i++;
      }
    };
    const loops = [...Array.from({ length: SCRAPERS }, scraper), sampler()];
    await faulter();
    running = false;
    await Promise.all(loops);

    // After the faults: still alive, still answering.
    await control('DELETE', 'faults');
    const final = await scrapeUrl(`${exporter.url}/metrics`, 5);
    assert.equal(final.status, 200);
    assert.ok(exporter.alive(), 'the exporter is alive');
  } finally {
    running = false;
    const exit = await exporter.stop(10_000);
    await simChild.stop();
    t.diagnostic(`exporter exit: ${JSON.stringify(exit)}`);
    assert.equal(exit.code, 0, `clean exit on SIGTERM (stderr: ${exporter.stderr()})`);
  }

  // Figures.
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = samples.slice(0, third);
  const last = samples.slice(-third);
  const figures = {
    seconds: SECONDS,
    scrapes,
    faultsCycled,
    slowestScrapeMs: Math.round(slowest),
    upRatio: upSamples === 0 ? NaN : Math.round((upOnes / upSamples) * 100) / 100,
    rssMiB: { firstThirdMedian: mib(median(first.map((s) => s.rssKiB))), firstThirdMax: mib(max(first.map((s) => s.rssKiB))), lastThirdMedian: mib(median(last.map((s) => s.rssKiB))), lastThirdMax: mib(max(last.map((s) => s.rssKiB))) },
    fds: { firstThirdMax: max(first.map((s) => s.fds)), lastThirdMax: max(last.map((s) => s.fds)) },
    sockets: { firstThirdMax: max(first.map((s) => s.sockets)), lastThirdMax: max(last.map((s) => s.sockets)) },
    activeHandles: { firstThirdMax: max(first.map((s) => s.handles)), lastThirdMax: max(last.map((s) => s.handles)) },
    samples: samples.length,
  };
  t.diagnostic(`soak figures: ${JSON.stringify(figures)}`);
  console.log(`soak figures: ${JSON.stringify(figures)}`);

  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} scrape failures`);
  assert.ok(scrapes >= SECONDS * 4, `steady scrapes (${scrapes})`);
  const logs = exporter.stdout();
  assert.ok(!/unhandled/i.test(logs), 'no unhandled rejection/exception in the logs');
  assert.ok(!logs.includes('"level":"fatal"'));
  assert.equal(exporter.stderr(), '', 'nothing on stderr');

  // Growth bounds between the first and the last third.
  assert.ok(samples.length >= 6, 'enough samples');
  assert.ok(
    median(last.map((s) => s.rssKiB)) <= max(first.map((s) => s.rssKiB)) * 1.25 + 48 * 1024,
    `RSS grew: ${JSON.stringify(figures.rssMiB)}`,
  );
  assert.ok(figures.fds.lastThirdMax <= figures.fds.firstThirdMax + 20, `fds grew: ${JSON.stringify(figures.fds)}`);
  assert.ok(figures.sockets.lastThirdMax <= figures.sockets.firstThirdMax + 20, `sockets grew: ${JSON.stringify(figures.sockets)}`);
  assert.ok(
    figures.activeHandles.lastThirdMax <= figures.activeHandles.firstThirdMax + 20,
    `active handles grew: ${JSON.stringify(figures.activeHandles)}`,
  );
});
