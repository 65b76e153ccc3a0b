/**
 * Credential failures against an in-process exporter: CSP rejecting the secret (backoff that
 * grows to minutes, one log line per state change, a fixed secret file picked up without a
 * restart), the same for an API token, a vanished secret file, and revoked tokens.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { DEMO } from '../../sim/src/demo-estate.js';
import { hasStackTrace, randomHex, startHarness, type Harness, type ScrapeResult } from '../helpers/exporter-harness.js';
import { waitFor } from '../helpers/processes.js';

const HEADER_SECONDS = 1; // budget 0.5 s
const DEADLINE_MS = 500 + 1000; // budget + generous slack

function assertAnswered(s: ScrapeResult): void {
  assert.equal(s.status, 200);
  assert.ok(s.elapsedMs < DEADLINE_MS, `answered after ${Math.round(s.elapsedMs)} ms`);
}

/** A user API token is scoped to one org (the simulator's home org). */
const HOME = [DEMO.orgs.prod];

const REJECTED = 'CSP rejected the credentials; retrying with backoff, fix the secret to recover';
const rejectedLines = (h: Harness) => h.logs.filter((l) => l['level'] === 'error' && String(l['msg']).startsWith('CSP rejected the credentials'));
const errMessage = (line: Record<string, unknown> | undefined) => String((line?.['err'] as { message?: unknown } | undefined)?.message ?? '');

/** Token-endpoint requests for `org` (OAuth: by orgId; API token: the exchange count). */
function tokenRequests(h: Harness, org: string | undefined): number {
  return org === undefined ? h.sim.stats.apiTokenRequests : (h.sim.stats.tokenRequests[org] ?? 0);
}

/**
 * Advances the exporter's clock in 5 s steps, scraping after each, and returns the skew (s)
 * at which each new token request was made, until `count` more requests were seen.
 */
async function probeRetries(h: Harness, org: string | undefined, count: number, maxSeconds = 2000): Promise<number[]> {
  const at: number[] = [];
  let seen = tokenRequests(h, org);
  for (let skew = 5; skew <= maxSeconds && at.length < count; skew += 5) {
    h.clock.advance(5000);
    const s = await h.scrape(HEADER_SECONDS);
    assertAnswered(s);
    const now = tokenRequests(h, org);
    assert.ok(now - seen <= 1, 'at most one request per backoff expiry');
    if (now > seen) at.push(skew);
    seen = now;
  }
  return at;
}

function assertBackoffGrowsToMinutes(at: number[]): number[] {
  const gaps = at.map((t, i) => t - (i === 0 ? 0 : (at[i - 1] ?? 0)));
  // Each gap is measured to within the 5 s probe step.
  assert.ok((gaps[0] ?? 0) >= 5, `first retry not before a backoff: ${gaps.join(', ')}`);
  for (let i = 1; i < gaps.length; i++) assert.ok((gaps[i] ?? 0) + 5 >= (gaps[i - 1] ?? 0), `backoff never shrinks: ${gaps.join(', ')}`);
  const last = gaps[gaps.length - 1] ?? 0;
  assert.ok(last >= 60, `grows to minutes: ${gaps.join(', ')}`);
  assert.ok(last <= 330, `capped at about 5 minutes: ${gaps.join(', ')}`);
  assert.ok(Math.abs(last - (gaps[gaps.length - 2] ?? 0)) <= 5, `reaches its cap: ${gaps.join(', ')}`);
  return gaps;
}

describe('credentials', { concurrency: 4 }, () => {
  test('CSP rejects the client secret: backoff growing to minutes, logged once per org, fixed secret file picked up without restart', async (t) => {
    const h = await startHarness({ auth: 'oauth-file', secretFileContent: randomHex(24) });
    try {
      const [a, b] = h.orgs as [string, string];
      for (let i = 0; i < 6; i++) {
        const s = await h.scrape(HEADER_SECONDS);
        assertAnswered(s);
        assert.equal(s.value('vmc_up', { org_id: a }), 0);
        assert.equal(s.value('vmc_up', { org_id: b }), 0);
      }
      assert.deepEqual([tokenRequests(h, a), tokenRequests(h, b)], [1, 1], 'one token request per org over six scrapes');
      assert.equal(h.sim.stats.sddcListTotal, 0, 'VMC never asked without a token');

      const at = await probeRetries(h, a, 8);
      t.diagnostic(`token requests after a rejection, gaps in s (±5): ${assertBackoffGrowsToMinutes(at).join(', ')}`);
      assert.equal(tokenRequests(h, b), tokenRequests(h, a), 'the other org backs off alike');

      const errors = rejectedLines(h);
      assert.deepEqual(errors.map((l) => l['org_id']).sort(), [a, b].sort(), 'one error line per org, not per scrape or retry');
      for (const l of errors) assert.match(errMessage(l), /^CSP rejected the OAuth app credentials \(HTTP 400, cspErrorCode 250\.102: invalid_client: /);
      const warns = h.logs.filter((l) => l['level'] === 'warn');
      const pairs = warns.map((l) => `${String(l['org_id'])} ${String(l['collector'])}`);
      assert.deepEqual(pairs, [...new Set(pairs)], 'one warn line per org and collector');
      assert.deepEqual([...new Set(warns.map((l) => l['org_id']))].sort(), [a, b].sort());

      const s = await h.scrape(HEADER_SECONDS);
      assert.match(s.body, new RegExp(`vmc_token_refreshes_total\\{org_id="${a}",result="failure"\\} ${tokenRequests(h, a)}\\n`));

      // Fix the file: picked up on the next scrape, backoff or not.
      await writeFile(h.secretFile ?? '', `${h.sim.credentials.clientSecret}\n`);
      const fixed = await h.scrape(HEADER_SECONDS);
      assertAnswered(fixed);
      assert.equal(fixed.value('vmc_up', { org_id: a }), 1);
      assert.equal(fixed.value('vmc_up', { org_id: b }), 1);
      assert.ok(fixed.all('vmc_sddc_info', { org_id: a }).length > 0);
      const accepted = h.logs.filter((l) => l['msg'] === 'CSP accepted the credentials again');
      assert.deepEqual(accepted.map((l) => l['org_id']).sort(), [a, b].sort());
      assert.equal(rejectedLines(h).length, 2);
      assert.ok(!hasStackTrace(h.rawLogs()));
    } finally {
      await h.close();
    }
  });

  test('CSP rejects the API token (404): backoff, one log line, fixed token file picked up', async (t) => {
    const h = await startHarness({ auth: 'api-token-file', secretFileContent: randomHex(32), orgs: HOME });
    try {
      const [a] = h.orgs as [string];
      for (let i = 0; i < 5; i++) {
        const s = await h.scrape(HEADER_SECONDS);
        assertAnswered(s);
        assert.equal(s.value('vmc_up', { org_id: a }), 0);
      }
      assert.equal(h.sim.stats.apiTokenRequests, 1);
      const at = await probeRetries(h, undefined, 8);
      t.diagnostic(`token requests after a rejection, gaps in s (±5): ${assertBackoffGrowsToMinutes(at).join(', ')}`);
      const errors = rejectedLines(h);
      assert.equal(errors.length, 1, 'one line, not per scrape or retry');
      assert.equal(errors[0]?.['org_id'], '');
      assert.match(errMessage(errors[0]), /^CSP rejected the API token \(HTTP 404, cspErrorCode 540\.120-340\.800: invalid_grant: Invalid refresh token: /);

      await writeFile(h.secretFile ?? '', h.sim.credentials.apiToken);
      const fixed = await h.scrape(HEADER_SECONDS);
      assert.equal(fixed.value('vmc_up', { org_id: a }), 1);
      assert.equal(h.logs.filter((l) => l['msg'] === 'CSP accepted the credentials again').length, 1);
    } finally {
      await h.close();
    }
  });

  for (const status of [400, 401, 403]) {
    test(`CSP ${status} on the token endpoint counts as a rejection (no request per scrape)`, async () => {
      const h = await startHarness({});
      try {
        const [a] = h.orgs as [string, string];
        h.sim.addFault({ endpoint: 'token', status });
        for (let i = 0; i < 4; i++) {
          const s = await h.scrape(HEADER_SECONDS);
          assertAnswered(s);
          assert.equal(s.value('vmc_up', { org_id: a }), 0);
        }
        assert.equal(tokenRequests(h, a), 1);
        assert.deepEqual(rejectedLines(h).map((l) => l['msg']), [REJECTED, REJECTED], 'one line per org');
        assert.match(errMessage(rejectedLines(h)[0]), new RegExp(`^CSP rejected the OAuth app credentials \\(HTTP ${status}, cspErrorCode 999\\.${status}: `));
      } finally {
        await h.close();
      }
    });
  }

  test('CSP 500 is not a rejection: retried (with backoff inside the call) on every collection', async () => {
    const h = await startHarness({ flags: ['--vmc.timeout=2'] });
    try {
      const [a] = h.orgs as [string, string];
      h.sim.addFault({ endpoint: 'token', status: 500 });
      for (let i = 0; i < 3; i++) {
        const s = await h.scrape(HEADER_SECONDS);
        assertAnswered(s);
        assert.equal(s.value('vmc_up', { org_id: a }), 0);
        await waitFor(`failure ${i + 1} logged`, () => h.logs.filter((l) => l['org_id'] === a && String(l['msg']).startsWith('collection of the org failed')).length > i, { timeoutMs: 5000, intervalMs: 20 });
      }
      assert.ok(tokenRequests(h, a) >= 6, `retried: ${tokenRequests(h, a)} requests`);
      assert.equal(rejectedLines(h).length, 0);
      h.sim.clearFaults();
      // The recovery needs a new token and the SDDC list: a budget a loaded machine can meet.
      const s = await h.scrape(10);
      assert.equal(s.value('vmc_up', { org_id: a }), 1);
    } finally {
      await h.close();
    }
  });

  test('all tokens revoked: the next scrape recovers with new tokens', async () => {
    const h = await startHarness({});
    try {
      const [a, b] = h.orgs as [string, string];
      await h.scrape(HEADER_SECONDS);
      const tokens = [tokenRequests(h, a), tokenRequests(h, b)];
      h.sim.revokeTokens();
      const s = await h.scrape(HEADER_SECONDS);
      assertAnswered(s);
      assert.equal(s.value('vmc_up', { org_id: a }), 1);
      assert.equal(s.value('vmc_up', { org_id: b }), 1);
      assert.deepEqual([tokenRequests(h, a), tokenRequests(h, b)], [(tokens[0] ?? 0) + 1, (tokens[1] ?? 0) + 1], 'one new token per org');
      assert.deepEqual(h.problems(), []);
    } finally {
      await h.close();
    }
  });

  test('all tokens revoked (API token): the next scrape recovers with a new token', async () => {
    const h = await startHarness({ auth: 'api-token-env', orgs: HOME });
    try {
      const [a] = h.orgs as [string];
      await h.scrape(HEADER_SECONDS);
      assert.equal(h.sim.stats.apiTokenRequests, 1);
      h.sim.revokeTokens();
      const s = await h.scrape(HEADER_SECONDS);
      assert.equal(s.value('vmc_up', { org_id: a }), 1);
      assert.equal(h.sim.stats.apiTokenRequests, 2);
      assert.deepEqual(h.problems(), []);
    } finally {
      await h.close();
    }
  });

  test('secret file removed while a new token is needed: clear error for the org, recovery once it is back', async () => {
    const h = await startHarness({ auth: 'oauth-file' });
    try {
      const [a] = h.orgs as [string, string];
      await h.scrape(HEADER_SECONDS);
      const file = h.secretFile ?? '';
      await rm(file);
      h.sim.revokeTokens();
      const s = await h.scrape(HEADER_SECONDS);
      assertAnswered(s);
      assert.equal(s.value('vmc_up', { org_id: a }), 0);
      assert.ok(s.all('vmc_sddc_info', { org_id: a }).length > 0, 'stale values kept');
      const warn = await h.waitForLog((l) => l['level'] === 'warn' && l['org_id'] === a);
      assert.equal(errMessage(warn), `--auth.client-secret-file: cannot read "${file}": no such file`);
      await writeFile(file, h.sim.credentials.clientSecret);
      const back = await h.scrape(HEADER_SECONDS);
      assert.equal(back.value('vmc_up', { org_id: a }), 1);
      assert.ok(!hasStackTrace(h.rawLogs()));
    } finally {
      await h.close();
    }
  });
});
