import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenManager, refreshMarginMs, type TokenGrant } from '../../src/auth/token-manager.js';
import { ManualClock } from '../../src/lib/clock.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { CredentialsRejectedError } from '../../src/auth/errors.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { captureLogger } from '../helpers/log-sink.js';

/** A scripted CSP: each exchange takes the next answer from `answers` (a grant or an error). */
function setup(answers: Array<TokenGrant | Error | (() => Promise<TokenGrant>)>, secret = 'the-client-secret') {
  const clock = new ManualClock();
  const metrics = new SelfMetrics('test', false);
  const log = captureLogger();
  let calls = 0;
  let currentSecret = secret;
  const tm = new TokenManager({
    orgLabel: 'org-1',
    readSecret: () => Promise.resolve(currentSecret),
    exchange: async () => {
      const next = answers[Math.min(calls, answers.length - 1)];
      calls++;
      if (next instanceof Error) throw next;
      if (typeof next === 'function') return next();
      return next!;
    },
    clock,
    observer: metrics,
    secrets: log.secrets,
    logger: log.logger,
  });
  return {
    tm,
    clock,
    metrics,
    log,
    calls: () => calls,
    setSecret: (s: string) => {
      currentSecret = s;
    },
  };
}

const grant = (n: number, ttl = 1799): TokenGrant => ({ accessToken: `access-token-${n}-xxxxxxxxxxxx`, expiresInSeconds: ttl });

async function counter(metrics: SelfMetrics, result: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric('vmc_token_refreshes_total')!.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('TokenManager', () => {
  test('reuses the token until shortly before expiry', async () => {
    const { tm, clock, calls } = setup([grant(1), grant(2)]);
    assert.equal(await tm.getToken(), grant(1).accessToken);
    clock.advance((1799 - 181) * 1000);
    assert.equal(await tm.getToken(), grant(1).accessToken);
    assert.equal(calls(), 1);
    clock.advance(2000);
    assert.equal(await tm.getToken(), grant(2).accessToken, 'refreshed within the margin before expiry');
    assert.equal(calls(), 2);
  });

  test('refresh margin: at least a minute, 10 % of long TTLs, at most half of short ones', () => {
    assert.equal(refreshMarginMs(1_799_000), 179_900);
    assert.equal(refreshMarginMs(300_000), 60_000);
    assert.equal(refreshMarginMs(60_000), 30_000);
    assert.equal(refreshMarginMs(1_000), 500);
  });

  test('a 1-second token is renewed after half a second', async () => {
    const { tm, clock, calls } = setup([grant(1, 1), grant(2, 1)]);
    await tm.getToken();
    clock.advance(400);
    await tm.getToken();
    assert.equal(calls(), 1);
    clock.advance(200);
    assert.equal(await tm.getToken(), grant(2, 1).accessToken);
  });

  test('concurrent callers share one in-flight request', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { tm, calls } = setup([async () => (await gate, grant(1))]);
    const all = Promise.all(Array.from({ length: 30 }, () => tm.getToken()));
    release();
    const tokens = await all;
    assert.equal(calls(), 1);
    assert.ok(tokens.every((t) => t === grant(1).accessToken));
  });

  test('a failure is not cached: the next call asks again', async () => {
    const { tm, calls, metrics } = setup([new UpstreamError('http', 'CSP token request failed: HTTP 500', { status: 500 }), grant(1)]);
    await assert.rejects(tm.getToken(), /HTTP 500/);
    assert.equal(await tm.getToken(), grant(1).accessToken);
    assert.equal(calls(), 2);
    assert.equal(await counter(metrics, 'failure'), 1);
    assert.equal(await counter(metrics, 'success'), 1);
  });

  test('invalidate() forces a new token; a stale invalidate is ignored', async () => {
    const { tm, calls } = setup([grant(1), grant(2), grant(3)]);
    const first = await tm.getToken();
    tm.invalidate('some-other-token');
    assert.equal(await tm.getToken(), first);
    tm.invalidate(first);
    assert.equal(await tm.getToken(), grant(2).accessToken);
    assert.equal(calls(), 2);
  });

  test('a failed early refresh keeps serving the still-valid token', async () => {
    const { tm, clock } = setup([grant(1), new UpstreamError('network', 'CSP token request failed: ECONNRESET')]);
    await tm.getToken();
    clock.advance(1700_000);
    assert.equal(await tm.getToken(), grant(1).accessToken);
    clock.advance(98_000);
    await assert.rejects(tm.getToken(), /ECONNRESET/);
  });

  test('rejected credentials back off, growing, and log once; a changed secret is tried at once', async () => {
    const rejected = new CredentialsRejectedError('http', 'CSP rejected the OAuth app credentials (HTTP 400)', { status: 400 });
    const { tm, clock, calls, log, setSecret } = setup([rejected, rejected, rejected, grant(1)]);
    await assert.rejects(tm.getToken(), /rejected/);
    assert.equal(calls(), 1);
    await assert.rejects(tm.getToken(), /rejected/);
    assert.equal(calls(), 1, 'no new request during the backoff');
    clock.advance(10_000);
    await assert.rejects(tm.getToken(), /rejected/);
    assert.equal(calls(), 2);
    clock.advance(10_000);
    await assert.rejects(tm.getToken(), /rejected/);
    assert.equal(calls(), 2, 'second backoff is 20 s');
    clock.advance(10_000);
    await assert.rejects(tm.getToken(), /rejected/);
    assert.equal(calls(), 3);
    setSecret('the-fixed-secret');
    assert.equal(await tm.getToken(), grant(1).accessToken, 'a fixed secret is tried without waiting');
    const errors = log.lines.filter((l) => l.level === 'error');
    assert.equal(errors.length, 1, 'the rejection is logged once');
    assert.ok(log.lines.some((l) => l.msg === 'CSP accepted the credentials again'));
  });

  test('metrics: refresh counter, duration histogram and expiry timestamp', async () => {
    const { tm, clock, metrics } = setup([grant(1)]);
    await tm.getToken();
    const expiry = await metrics.registry.getSingleMetric('vmc_token_expiry_timestamp_seconds')!.get();
    assert.equal(expiry.values[0]?.value, clock.now() / 1000 + 1799);
    assert.equal(expiry.values[0]?.labels.org_id, 'org-1');
    const text = await metrics.render();
    assert.match(text, /vmc_token_refresh_duration_seconds_count\{org_id="org-1"\} 1/);
    assert.match(text, /vmc_token_refreshes_total\{org_id="org-1",result="success"\} 1/);
  });

  test('tokens never appear in logs', async () => {
    const rejected = new CredentialsRejectedError('http', `CSP rejected the API token (HTTP 404, invalid_grant: Invalid refresh token: xxxx...${grant(1).accessToken.slice(-8)})`);
    const { tm, clock, log } = setup([grant(1), rejected]);
    await tm.getToken();
    clock.advance(1799_000);
    await assert.rejects(tm.getToken());
    assert.ok(!log.raw().includes(grant(1).accessToken.slice(-8)), 'a partial echo of the token is scrubbed');
  });
});

describe('TokenManager.apiTokenDetails', () => {
  test('asks the details call with the secret it reads itself and hands back only the details', async () => {
    const seen: string[] = [];
    const log = captureLogger();
    const tm = new TokenManager({
      orgLabel: '',
      readSecret: () => Promise.resolve('the-api-token'),
      exchange: () => Promise.reject(new Error('not used')),
      details: async (secret) => {
        seen.push(secret);
        return { expiresAtSeconds: 1767225600 };
      },
      clock: new ManualClock(),
      observer: new SelfMetrics('test', false),
      secrets: log.secrets,
      logger: log.logger,
    });
    assert.deepEqual(await tm.apiTokenDetails(), { expiresAtSeconds: 1767225600 });
    assert.deepEqual(seen, ['the-api-token']);
  });

  test('an OAuth app has no token details', async () => {
    const { tm } = setup([grant(1)]);
    await assert.rejects(tm.apiTokenDetails(), { code: 'NOT_AN_API_TOKEN' });
  });
});
