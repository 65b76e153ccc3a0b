import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { parseRetryAfter } from '../../src/upstream/http-client.js';
import { DEFAULT_RETRY_POLICY, retryDelay, withRetries } from '../../src/upstream/retry.js';

const http = (status: number, retryAfterMs?: number) => new UpstreamError('http', `HTTP ${status}`, { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('retryDelay', () => {
  const cases: Array<[string, UpstreamError, number | undefined]> = [
    ['429 with Retry-After waits what it says', http(429, 3000), 3000],
    ['503 with Retry-After waits what it says', http(503, 7000), 7000],
    ['429 without Retry-After backs off', http(429), 250],
    ['500 backs off', http(500), 250],
    ['502 backs off', http(502), 250],
    ['network error backs off', new UpstreamError('network', 'ECONNRESET'), 250],
    ['timeout backs off', new UpstreamError('timeout', 'slow'), 250],
    ['400 is not retried', http(400), undefined],
    ['401 is not retried here (the token layer retries once)', http(401), undefined],
    ['403 is not retried', http(403), undefined],
    ['404 is not retried', http(404), undefined],
    ['malformed body is not retried', new UpstreamError('malformed', 'bad json'), undefined],
    ['oversized body is not retried', new UpstreamError('too-large', 'big'), undefined],
  ];
  for (const [name, err, want] of cases) {
    test(name, () => assert.equal(retryDelay(err, 1, DEFAULT_RETRY_POLICY, () => 0.999999), want === 250 ? 249.99975 : want));
  }

  test('backoff grows exponentially with full jitter, capped', () => {
    const full = (n: number) => retryDelay(http(500), n, DEFAULT_RETRY_POLICY, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(full), [250, 500, 1000, 2000, 4000, 5000, 5000]);
    assert.equal(retryDelay(http(500), 3, DEFAULT_RETRY_POLICY, () => 0), 0);
  });
});

describe('withRetries', () => {
  test('retries transient failures and returns the first success', async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    let n = 0;
    const out = await withRetries(
      async () => {
        n++;
        if (n < 3) throw http(503, 1000);
        return 'ok';
      },
      { giveUpAt: clock.now() + 10_000, clock, sleep: async (ms) => void (waits.push(ms), clock.advance(ms)) },
    );
    assert.equal(out, 'ok');
    assert.deepEqual(waits, [1000, 1000]);
  });

  test('a Retry-After beyond the call budget is not waited for', async () => {
    const clock = new ManualClock();
    let n = 0;
    await assert.rejects(
      withRetries(
        async () => {
          n++;
          throw http(429, 60_000);
        },
        { giveUpAt: clock.now() + 10_000, clock, sleep: async () => assert.fail('must not wait') },
      ),
      (err: UpstreamError) => err.retryAfterMs === 60_000,
    );
    assert.equal(n, 1);
  });

  test('gives up after maxAttempts', async () => {
    const clock = new ManualClock();
    let n = 0;
    await assert.rejects(
      withRetries(
        async () => {
          n++;
          throw http(500);
        },
        { giveUpAt: clock.now() + 60_000, clock, sleep: async () => undefined, random: () => 0 },
      ),
    );
    assert.equal(n, DEFAULT_RETRY_POLICY.maxAttempts);
  });

  test('a retry that would get less than 100 ms fails with the upstream answer, not a timeout', async () => {
    const clock = new ManualClock();
    const budgets: number[] = [];
    // The backoff fits, but leaves the next attempt less than MIN_ATTEMPT_MS: no attempt.
    await assert.rejects(
      withRetries(
        async (remaining) => {
          budgets.push(remaining);
          throw http(500);
        },
        { giveUpAt: clock.now() + 300, clock, sleep: async () => assert.fail('must not wait'), random: () => 0.9, policy: { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5000 } },
      ),
      (err: UpstreamError) => err.status === 500,
    );
    assert.deepEqual(budgets, [300]);
    // The wait overran (a busy event loop): what is left is too little, so the 500 stands.
    budgets.length = 0;
    await assert.rejects(
      withRetries(
        async (remaining) => {
          budgets.push(remaining);
          throw http(500);
        },
        { giveUpAt: clock.now() + 1000, clock, sleep: async (ms) => void clock.advance(ms + 950), random: () => 0 },
      ),
      (err: UpstreamError) => err.status === 500,
    );
    assert.deepEqual(budgets, [1000]);
  });

  test('4xx fails at once', async () => {
    const clock = new ManualClock();
    let n = 0;
    await assert.rejects(withRetries(async () => (n++, Promise.reject(http(404))), { giveUpAt: clock.now() + 60_000, clock }));
    assert.equal(n, 1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1);
  test('seconds', () => assert.equal(parseRetryAfter('120', now), 120_000));
  test('HTTP date', () => assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000));
  test('past date is 0', () => assert.equal(parseRetryAfter(new Date(now - 30_000).toUTCString(), now), 0));
  test('garbage and absent', () => {
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
