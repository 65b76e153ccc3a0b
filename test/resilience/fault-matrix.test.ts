/**
 * Fault matrix: every upstream failure the simulator can inject, on ONE of two orgs, against
 * an in-process exporter. For each: the scrape answers 200 before its deadline, the faulty
 * org shows vmc_up 0 with its last good values and an unchanged
 * vmc_last_success_timestamp_seconds, the other org is untouched, exactly one warn line names
 * the cause (no stack trace), and clearing the fault brings the org back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Fault } from '../../sim/src/server.js';
import { startSimulator } from '../../sim/src/server.js';
import { OVERSIZE_EXTRA_BYTES } from '../../sim/src/responses.js';
import { DEFAULT_MAX_BODY_BYTES, HttpClient } from '../../src/upstream/http-client.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { SecretRegistry } from '../../src/lib/secrets.js';
import { systemClock } from '../../src/lib/clock.js';
import { Agent } from 'undici';
import { hasStackTrace, startHarness, type Harness, type ScrapeResult } from '../helpers/exporter-harness.js';
import { sleep } from '../helpers/processes.js';

/** Scrape timeout announced in the header; with the default 0.5 s offset the budget is 1.5 s. */
const HEADER_SECONDS = 2;
const BUDGET_MS = HEADER_SECONDS * 1000 - 500;
/** Generous slack on top of the budget (loaded CI machines, concurrent cases). */
const SLACK_MS = 1000;
/** `--vmc.timeout` of the matrix: one upstream call (retries included) gives up after 3 s. */
const FLAGS = ['--vmc.timeout=3', '--cache.max-stale=5m'];

const COLLECTION_FAILED = 'collection of the org failed';

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function assertAnswered(s: ScrapeResult, budgetMs = BUDGET_MS): void {
  assert.equal(s.status, 200, `scrape status (body: ${s.body.slice(0, 200)})`);
  assert.ok(s.elapsedMs < budgetMs + SLACK_MS, `answered after ${Math.round(s.elapsedMs)} ms; budget ${budgetMs} ms + ${SLACK_MS} ms slack`);
}

const up = (s: ScrapeResult, org: string) => s.value('vmc_up', { org_id: org });
const lastSuccess = (s: ScrapeResult, org: string) => s.value('vmc_last_success_timestamp_seconds', { org_id: org });
const sddcCount = (s: ScrapeResult, org: string) => s.all('vmc_sddc_info', { org_id: org }).length;

/** Scrapes until the org is up again (each scrape checked), or fails after `timeoutMs`. */
async function scrapeUntilUp(h: Harness, org: string, timeoutMs = 12_000): Promise<ScrapeResult> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await h.scrape(HEADER_SECONDS);
    assertAnswered(s);
    if (up(s, org) === 1) return s;
    if (Date.now() > until) assert.fail(`org ${org} did not recover within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const collectorWarns = (h: Harness, org: string) => h.logs.filter((l) => l['level'] === 'warn' && l['org_id'] === org && l['msg'] === COLLECTION_FAILED);
const errMessage = (line: Record<string, unknown>) => String((line['err'] as { message?: unknown } | undefined)?.message ?? '');
const errCode = (line: Record<string, unknown>) => (line['err'] as { code?: unknown } | undefined)?.code;

interface Case {
  readonly name: string;
  readonly fault: (org: string) => Fault;
  /** The fault is on the CSP token path: revoke tokens so the exporter has to go there. */
  readonly csp?: boolean;
  /** vmc_up of the faulty org while the fault is active. */
  readonly up: 0 | 1;
  /** The warn line's error message must match. */
  readonly log?: RegExp;
  /** The warn line's error code. */
  readonly code?: string;
  /** `vmc_api_requests_total` label pair that must have been counted. */
  readonly api?: { endpoint: string; code: string };
  /** Upstream requests of the failed collection: 'once' (not retried) or 'retried' (2..4). */
  readonly attempts?: 'once' | 'retried';
  /** CSP rejected the credentials: one error line as well, recovery after the backoff. */
  readonly rejection?: boolean;
  /** The failure carries a Retry-After the exporter must wait out before asking again. */
  readonly retryAfterMs?: number;
  /** Extra checks while the fault is active. */
  readonly during?: (h: Harness, s: ScrapeResult, base: Baseline) => void;
}

interface Baseline {
  readonly org: string;
  readonly sddcs: number;
  readonly lastSuccess: number;
  readonly sddcRequests: number;
  readonly tokenRequests: number;
}

const CASES: readonly Case[] = [
  {
    name: 'CSP token 401 (credentials rejected)',
    fault: (org) => ({ endpoint: 'token', org, status: 401 }),
    csp: true,
    up: 0,
    log: /^CSP rejected the OAuth app credentials \(HTTP 401/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'token', code: '401' },
    attempts: 'once',
    rejection: true,
  },
  {
    name: 'CSP token 500',
    fault: (org) => ({ endpoint: 'token', org, status: 500 }),
    csp: true,
    up: 0,
    log: /^CSP token request failed: POST \S+\/csp\/gateway\/am\/api\/auth\/token: HTTP 500/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'token', code: '500' },
    attempts: 'retried',
  },
  {
    name: 'CSP token endpoint hangs',
    fault: (org) => ({ endpoint: 'token', org, kind: 'hang' }),
    csp: true,
    up: 0,
    log: /^CSP token request failed: POST \S+: no complete answer within 3s$/,
    code: 'UPSTREAM_TIMEOUT',
    api: { endpoint: 'token', code: 'timeout' },
    attempts: 'once',
  },
  {
    name: 'VMC 401 once: one retry with a new token succeeds',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 401, times: 1 }),
    up: 1,
    api: { endpoint: 'sddcs', code: '401' },
    during(h, s, base) {
      assert.equal(h.sim.stats.sddcListRequests[base.org], base.sddcRequests + 2, 'the 401 and one retry');
      assert.equal(h.sim.stats.tokenRequests[base.org], base.tokenRequests + 1, 'one new token');
      assert.ok((lastSuccess(s, base.org) ?? 0) > base.lastSuccess, 'fresh data');
    },
  },
  {
    name: 'VMC 401 persistent',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 401 }),
    up: 0,
    log: /\/vmc\/api\/orgs\/[^/]+\/sddcs: HTTP 401 \(unauthorized: Unauthorized\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '401' },
    during(h, _s, base) {
      // One retry after a new token, never more.
      assert.equal(h.sim.stats.sddcListRequests[base.org], base.sddcRequests + 2);
      assert.equal(h.sim.stats.tokenRequests[base.org], base.tokenRequests + 1);
    },
  },
  {
    name: 'VMC 403',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 403 }),
    up: 0,
    log: /: HTTP 403 \(forbidden: Forbidden\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '403' },
    attempts: 'once',
  },
  {
    name: 'VMC 404',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 404 }),
    up: 0,
    log: /: HTTP 404 \(not_found: Not Found\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '404' },
    attempts: 'once',
  },
  {
    name: 'VMC 429 with Retry-After: 1 (retried after the wait, within the deadline)',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 429, headers: { 'Retry-After': '1' } }),
    up: 0,
    log: /: HTTP 429 \(too_many_requests: Too Many Requests\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '429' },
    attempts: 'retried',
  },
  {
    name: 'VMC 429 with Retry-After: 5 (longer than the deadline: not retried, next collection waits)',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 429, headers: { 'Retry-After': '5' } }),
    up: 0,
    log: /: HTTP 429 /,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '429' },
    attempts: 'once',
    retryAfterMs: 5000,
  },
  {
    name: 'VMC 429 without Retry-After (backoff)',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 429 }),
    up: 0,
    log: /: HTTP 429 /,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '429' },
    attempts: 'retried',
  },
  {
    name: 'VMC 500',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 500 }),
    up: 0,
    log: /: HTTP 500 \(internal_server_error: Internal Server Error\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '500' },
    attempts: 'retried',
  },
  {
    name: 'VMC 503',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 503 }),
    up: 0,
    log: /: HTTP 503 \(service_unavailable: Service Unavailable\)$/,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '503' },
    attempts: 'retried',
  },
  {
    name: 'VMC 503 with Retry-After: 1',
    fault: (org) => ({ endpoint: 'sddcs', org, status: 503, headers: { 'Retry-After': '1' } }),
    up: 0,
    log: /: HTTP 503 /,
    code: 'UPSTREAM_HTTP',
    api: { endpoint: 'sddcs', code: '503' },
    attempts: 'retried',
  },
  {
    name: 'VMC hangs past the deadline',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'hang' }),
    up: 0,
    log: /\/sddcs: no complete answer within 3s$/,
    code: 'UPSTREAM_TIMEOUT',
    api: { endpoint: 'sddcs', code: 'timeout' },
    attempts: 'once',
  },
  {
    name: 'truncated JSON (connection closed mid-body)',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'truncated' }),
    up: 0,
    log: /\/sddcs: UND_ERR_SOCKET other side closed$/,
    code: 'UPSTREAM_NETWORK',
    api: { endpoint: 'sddcs', code: 'network' },
    attempts: 'retried',
  },
  {
    name: 'malformed JSON',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'malformed' }),
    up: 0,
    log: /\/sddcs: HTTP 200 with a body that is not valid JSON \(\d+ bytes\)$/,
    code: 'UPSTREAM_MALFORMED',
    api: { endpoint: 'sddcs', code: 'malformed' },
    attempts: 'once',
  },
  {
    name: 'empty body',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'empty' }),
    up: 0,
    log: /not valid JSON \(0 bytes\)$/,
    code: 'UPSTREAM_MALFORMED',
    attempts: 'once',
  },
  {
    name: 'wrong types (object instead of array)',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'wrong-types' }),
    up: 0,
    log: /\/sddcs: HTTP 200 with a body of the wrong shape: expected a JSON array of SDDCs, got object$/,
    code: 'UPSTREAM_MALFORMED',
    api: { endpoint: 'sddcs', code: 'malformed' },
    attempts: 'once',
  },
  OVERSIZE_EXTRA_BYTES > DEFAULT_MAX_BODY_BYTES
    ? {
        // The simulator adds ~20 MiB of valid JSON, streamed without Content-Length: over the
        // default limit, so reading stops there.
        name: `oversized body (~${mib(OVERSIZE_EXTRA_BYTES)} MiB, over the ${mib(DEFAULT_MAX_BODY_BYTES)} MiB limit)`,
        fault: (org) => ({ endpoint: 'sddcs', org, kind: 'oversized' }),
        up: 0,
        log: new RegExp(`/sddcs: body over the ${DEFAULT_MAX_BODY_BYTES}-byte limit$`),
        code: 'UPSTREAM_TOO_LARGE',
        api: { endpoint: 'sddcs', code: 'too_large' },
        attempts: 'once',
      }
    : {
        // Under the limit: read, and its padding entries are shown as SDDCs.
        name: `oversized body (~${mib(OVERSIZE_EXTRA_BYTES)} MiB, under the ${mib(DEFAULT_MAX_BODY_BYTES)} MiB limit: accepted)`,
        fault: (org) => ({ endpoint: 'sddcs', org, kind: 'oversized' }),
        up: 1,
        api: { endpoint: 'sddcs', code: '200' },
        during(_h, s, base) {
          assert.ok(sddcCount(s, base.org) > base.sddcs, 'the padding entries parse as SDDCs');
          assert.ok((lastSuccess(s, base.org) ?? 0) > base.lastSuccess);
        },
      },
  {
    name: 'connection reset',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'reset' }),
    up: 0,
    log: /\/sddcs: ECONNRESET /,
    code: 'UPSTREAM_NETWORK',
    api: { endpoint: 'sddcs', code: 'network' },
    attempts: 'retried',
  },
  {
    name: 'trickling body (never completes within the request timeout)',
    fault: (org) => ({ endpoint: 'sddcs', org, kind: 'trickle', trickleBytes: 8, trickleIntervalMs: 200 }),
    up: 0,
    log: /\/sddcs: no complete answer within 3s$/,
    code: 'UPSTREAM_TIMEOUT',
    api: { endpoint: 'sddcs', code: 'timeout' },
    attempts: 'once',
  },
];

async function runCase(c: Case): Promise<void> {
  const h = await startHarness({ flags: FLAGS });
  try {
    const [a, b] = h.orgs as [string, string];
    const s0 = await h.scrape(HEADER_SECONDS);
    assertAnswered(s0);
    assert.equal(up(s0, a), 1);
    assert.equal(up(s0, b), 1);
    const base: Baseline = {
      org: a,
      sddcs: sddcCount(s0, a),
      lastSuccess: lastSuccess(s0, a) ?? NaN,
      sddcRequests: h.sim.stats.sddcListRequests[a] ?? 0,
      tokenRequests: h.sim.stats.tokenRequests[a] ?? 0,
    };
    const lastB0 = lastSuccess(s0, b) ?? NaN;
    assert.ok(base.sddcs > 0 && sddcCount(s0, b) > 0, 'both orgs have SDDCs');

    h.sim.addFault(c.fault(a));
    if (c.csp) h.sim.revokeTokens();
    const s1 = await h.scrape(HEADER_SECONDS);
    assertAnswered(s1);
    assert.equal(up(s1, b), 1, 'the other org is unaffected');
    assert.ok((lastSuccess(s1, b) ?? 0) > lastB0, 'the other org has fresh data');
    assert.equal(sddcCount(s1, b), sddcCount(s0, b));

    if (c.up === 1) {
      assert.equal(up(s1, a), 1);
      c.during?.(h, s1, base);
    } else {
      assert.equal(up(s1, a), 0, 'vmc_up of the faulty org');
      assert.equal(sddcCount(s1, a), base.sddcs, 'last good values kept (max-stale 5m)');
      assert.equal(lastSuccess(s1, a), base.lastSuccess, 'vmc_last_success_timestamp_seconds unchanged');

      const warn = await h.waitForLog((l) => l['level'] === 'warn' && l['org_id'] === a && l['msg'] === COLLECTION_FAILED, 10_000);
      if (c.log) assert.match(errMessage(warn), c.log);
      if (c.code) assert.equal(errCode(warn), c.code);
      const requests = c.csp ? (h.sim.stats.tokenRequests[a] ?? 0) - base.tokenRequests : (h.sim.stats.sddcListRequests[a] ?? 0) - base.sddcRequests;
      if (c.attempts === 'once') assert.equal(requests, 1, 'not retried');
      if (c.attempts === 'retried') assert.ok(requests >= 2 && requests <= 4, `retried within the deadline (${requests} requests)`);
      c.during?.(h, s1, base);

      // A second scrape during the fault: still down, still stale, still answered in time.
      const before = { sddc: h.sim.stats.sddcListRequests[a] ?? 0, token: h.sim.stats.tokenRequests[a] ?? 0 };
      const s2 = await h.scrape(HEADER_SECONDS);
      assertAnswered(s2);
      assert.equal(up(s2, a), 0);
      assert.equal(up(s2, b), 1);
      assert.equal(sddcCount(s2, a), base.sddcs);
      assert.equal(lastSuccess(s2, a), base.lastSuccess);
      if (c.retryAfterMs !== undefined || c.rejection) {
        // Retry-After / credential backoff: the exporter does not ask again meanwhile.
        assert.deepEqual({ sddc: h.sim.stats.sddcListRequests[a] ?? 0, token: h.sim.stats.tokenRequests[a] ?? 0 }, before, 'no request while waiting');
      }
    }

    h.sim.clearFaults();
    if (c.retryAfterMs !== undefined) h.clock.advance(c.retryAfterMs);
    if (c.rejection) h.clock.advance(11_000); // past the first credential backoff (10 s)
    const recovered = await scrapeUntilUp(h, a);
    assert.equal(up(recovered, b), 1);
    assert.equal(sddcCount(recovered, a), base.sddcs);
    assert.ok((lastSuccess(recovered, a) ?? 0) > base.lastSuccess, 'fresh data after recovery');
    if (c.api) {
      assert.ok((recovered.value('vmc_api_requests_total', c.api) ?? 0) >= 1, `vmc_api_requests_total${JSON.stringify(c.api)} counted`);
    }

    // Logs: exactly one warn for the faulty org (state change, not once per scrape), a
    // recovery line, nothing for the other org, no stack trace anywhere.
    if (c.up === 0) {
      await h.waitForLog((l) => l['level'] === 'info' && l['org_id'] === a && l['msg'] === 'collection of the org recovered');
    }
    assert.equal(collectorWarns(h, a).length, c.up === 0 ? 1 : 0, `warn lines: ${JSON.stringify(h.problems())}`);
    const errors = h.logs.filter((l) => l['level'] === 'error' || l['level'] === 'fatal');
    if (c.rejection) {
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]?.['org_id'], a);
      assert.match(errMessage(errors[0] ?? {}), /^CSP rejected the OAuth app credentials \(HTTP 401/);
    } else {
      assert.deepEqual(errors, []);
    }
    assert.deepEqual(
      h.problems().filter((l) => l['org_id'] !== a),
      [],
      'no warning about the other org',
    );
    assert.ok(!hasStackTrace(h.rawLogs()), 'no stack trace in the logs');
  } finally {
    await h.close();
  }
}

describe('fault matrix (fault on one of two orgs)', { concurrency: 12 }, () => {
  for (const c of CASES) test(c.name, () => runCase(c));

  test('hang past the deadline: one background fetch, never a second one beside it; the next scrape gets its data', async () => {
    // TTL 60 s: after the hang is released the background fetch's result is served without
    // a new request. Request timeout 20 s: the fetch outlives every scrape below.
    const h = await startHarness({ flags: ['--vmc.timeout=20', '--cache.ttl=60'] });
    try {
      const [a, b] = h.orgs as [string, string];
      h.sim.addFault({ endpoint: 'sddcs', org: a, kind: 'hang' });
      for (let i = 0; i < 4; i++) {
        const s = await h.scrape(1); // budget 0.5 s
        assertAnswered(s, 500);
        assert.equal(up(s, a), 0);
        assert.equal(sddcCount(s, a), 0, 'nothing to show yet');
        assert.equal(up(s, b), 1);
        assert.equal(h.sim.stats.sddcListRequests[a], 1, `scrape ${i + 1}: still the one fetch`);
      }
      assert.equal(collectorWarns(h, a).length, 0, 'a fetch still running is not logged as failed');
      const concurrent = await Promise.all([h.scrape(1), h.scrape(1), h.scrape(1)]);
      for (const s of concurrent) assertAnswered(s, 500);
      assert.equal(h.sim.stats.sddcListRequests[a], 1, 'concurrent scrapes join the running fetch');

      h.sim.clearFaults(); // the held request is answered now, to the fetch still waiting for it
      const until = Date.now() + 5000;
      let s: ScrapeResult;
      do {
        await sleep(50);
        s = await h.scrape(1);
        assertAnswered(s, 500);
      } while (up(s, a) !== 1 && Date.now() < until);
      assert.equal(up(s, a), 1);
      assert.ok(sddcCount(s, a) > 0);
      assert.equal(h.sim.stats.sddcListRequests[a], 1, 'the data came from the background fetch');
      assert.deepEqual(h.problems(), []);
    } finally {
      await h.close();
    }
  });

  test('no scrape-timeout header: answered within the 10 s default minus the offset', async () => {
    const h = await startHarness({ flags: ['--vmc.timeout=20'] });
    try {
      const [a, b] = h.orgs as [string, string];
      h.sim.addFault({ endpoint: 'sddcs', org: a, kind: 'hang' });
      const s = await h.scrape();
      assertAnswered(s, 9500);
      assert.ok(s.elapsedMs >= 9000, `waited for the budget (${Math.round(s.elapsedMs)} ms)`);
      assert.equal(up(s, a), 0);
      assert.equal(up(s, b), 1);
    } finally {
      await h.close();
    }
  });

  test('stale policy: --cache.max-stale=0 drops the values at once; the timestamp stays', async () => {
    const h = await startHarness({ flags: ['--vmc.timeout=3', '--cache.max-stale=0'] });
    try {
      const [a] = h.orgs as [string, string];
      const s0 = await h.scrape(HEADER_SECONDS);
      assert.ok(sddcCount(s0, a) > 0);
      h.sim.addFault({ endpoint: 'sddcs', org: a, status: 403 });
      const s1 = await h.scrape(HEADER_SECONDS);
      assertAnswered(s1);
      assert.equal(up(s1, a), 0);
      assert.equal(sddcCount(s1, a), 0, 'no stale values with max-stale 0');
      assert.equal(s1.all('vmc_sddcs', { org_id: a }).length, 0);
      assert.equal(lastSuccess(s1, a), lastSuccess(s0, a), 'staleness still visible');
    } finally {
      await h.close();
    }
  });

  test('stale policy: values kept while younger than --cache.max-stale, then dropped', async () => {
    const h = await startHarness({ flags: ['--vmc.timeout=3', '--cache.max-stale=30s'] });
    try {
      const [a, b] = h.orgs as [string, string];
      const s0 = await h.scrape(HEADER_SECONDS);
      const n = sddcCount(s0, a);
      h.sim.addFault({ endpoint: 'sddcs', org: a, status: 403 });
      const s1 = await h.scrape(HEADER_SECONDS);
      assert.equal(up(s1, a), 0);
      assert.equal(sddcCount(s1, a), n, 'kept: 0 s old');
      h.clock.advance(29_000);
      const s2 = await h.scrape(HEADER_SECONDS);
      assert.equal(sddcCount(s2, a), n, 'kept: 29 s old');
      h.clock.advance(2_000);
      const s3 = await h.scrape(HEADER_SECONDS);
      assertAnswered(s3);
      assert.equal(up(s3, a), 0);
      assert.equal(sddcCount(s3, a), 0, 'dropped: 31 s old');
      assert.equal(lastSuccess(s3, a), lastSuccess(s0, a));
      assert.equal(up(s3, b), 1);
      assert.ok(sddcCount(s3, b) > 0);
      h.sim.clearFaults();
      const s4 = await h.scrape(HEADER_SECONDS);
      assert.equal(up(s4, a), 1);
      assert.equal(sddcCount(s4, a), n);
    } finally {
      await h.close();
    }
  });

  test('bad entries in the SDDC list: skipped and named (index/id only), the rest shown, vmc_up 1', async () => {
    const h = await startHarness({ flags: ['--vmc.timeout=3'] });
    try {
      const [a, b] = h.orgs as [string, string];
      const s0 = await h.scrape(HEADER_SECONDS);
      const n = sddcCount(s0, a);
      h.sim.addSddc(a, { name: 'no-id', sddc_state: 'READY', resource_config: { cloud_password: 'Qz-canary-password-0001' } });
      const s1 = await h.scrape(HEADER_SECONDS);
      assertAnswered(s1);
      assert.equal(up(s1, a), 1);
      assert.equal(up(s1, b), 1);
      assert.equal(sddcCount(s1, a), n);
      const warn = h.logs.find((l) => l['level'] === 'warn' && l['org_id'] === a);
      assert.equal(warn?.['msg'], 'collected data had entries that were skipped or merged');
      assert.deepEqual(warn?.['problems'], [`SDDC entry ${n} has no id; skipped`]);
      assert.ok(!h.rawLogs().includes('Qz-canary-password-0001'));
      assert.ok(!s1.body.includes('Qz-canary-password-0001'));
    } finally {
      await h.close();
    }
  });

  test('org list fault (discovered orgs): vmc_up{org_id=""} 0, previous orgs still collected', async () => {
    const h = await startHarness({ orgs: [], flags: ['--vmc.timeout=3'] });
    try {
      const s0 = await h.scrape(HEADER_SECONDS);
      const orgs = s0.all('vmc_up').map((x) => x.labels['org_id']);
      assert.ok(orgs.length >= 1 && !orgs.includes(''), JSON.stringify(orgs));
      h.sim.addFault({ endpoint: 'orgs', status: 500 });
      h.clock.advance(10 * 60_000 + 1000); // the org list is due again
      const s1 = await h.scrape(HEADER_SECONDS);
      assertAnswered(s1);
      assert.equal(s1.value('vmc_up', { org_id: '' }), 0);
      for (const org of orgs) assert.equal(up(s1, org ?? ''), 1, 'known orgs still collected');
      const warn = await h.waitForLog((l) => l['level'] === 'warn' && l['msg'] === 'listing orgs failed');
      assert.match(errMessage(warn), /\/vmc\/api\/orgs: HTTP 500/);
      h.sim.clearFaults();
      const s2 = await h.scrape(HEADER_SECONDS);
      assert.equal(s2.value('vmc_up', { org_id: '' }), undefined);
      assert.equal(h.problems().length, 1);
    } finally {
      await h.close();
    }
  });
});

describe('body size limit', () => {
  test('a body over the limit is a clear too-large error, not a crash', async () => {
    // The exporter's limit is not a flag; the client it uses is tested with a 1 MiB limit
    // against the simulator's ~20 MiB oversized body (declared length or not).
    const sim = await startSimulator();
    const dispatcher = new Agent();
    try {
      const org = sim.orgIds[0] ?? '';
      sim.addFault({ endpoint: 'sddcs', org, kind: 'oversized' });
      const token = await (
        await fetch(`${sim.url}/csp/gateway/am/api/auth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${sim.credentials.clientId}:${sim.credentials.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: `grant_type=client_credentials&orgId=${org}`,
        })
      ).json();
      const metrics = new SelfMetrics('test', false);
      const client = new HttpClient({ dispatcher, observer: metrics, secrets: new SecretRegistry(), clock: systemClock, maxBodyBytes: 1024 * 1024 });
      const err = await client
        .send({
          endpoint: 'sddcs',
          method: 'GET',
          url: `${sim.url}/vmc/api/orgs/${org}/sddcs`,
          headers: { 'csp-auth-token': (token as { access_token: string }).access_token },
          timeoutMs: 10_000,
        })
        .then(
          () => assert.fail('expected a too-large error'),
          (e: unknown) => e,
        );
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.failure, 'too-large');
      assert.equal(err.code, 'UPSTREAM_TOO_LARGE');
      assert.match(err.message, /\/sddcs: body over the 1048576-byte limit$/);
      assert.match(await metrics.render(), /vmc_api_requests_total\{endpoint="sddcs",code="too_large"\} 1/);
    } finally {
      await sim.close();
      await dispatcher.close();
    }
  });
});
