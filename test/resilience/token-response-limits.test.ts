/**
 * Odd CSP token responses: a huge `expires_in` (1e308) is clamped to 24 h (a finite expiry
 * metric, one token request, renewed before the 24 h are up), a tiny one to 10 s, and an
 * `access_token` that cannot go into a header is refused as a malformed token response at
 * once, before any VMC call. Real CSP client, token manager and VMC client against a
 * loopback CSP/VMC stand-in.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateHeaderValue } from 'node:http';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { oauthExchange } from '../../src/auth/csp-client.js';
import { MAX_TOKEN_LIFETIME_SECONDS, parseTokenResponse } from '../../src/auth/parse-token.js';
import { TokenManager } from '../../src/auth/token-manager.js';
import { ManualClock } from '../../src/lib/clock.js';
import { MalformedResponseError } from '../../src/lib/errors.js';
import { SecretRegistry } from '../../src/lib/secrets.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { HttpClient } from '../../src/upstream/http-client.js';
import { VmcClient } from '../../src/vmc/vmc-client.js';
import { captureLogger } from '../helpers/log-sink.js';

/** CSP answering every token request with `grant`; VMC answering `[]`. Counts both. */
async function upstream(grant: Record<string, unknown>) {
  const counts = { token: 0, vmc: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if ((req.url ?? '').endsWith('/auth/token')) {
        counts.token++;
        res.end(JSON.stringify(grant));
      } else {
        counts.vmc++;
        res.end('[]');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function stack(url: string) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const secrets = new SecretRegistry();
  const metrics = new SelfMetrics('test', false);
  const dispatcher = new Agent();
  const httpClient = new HttpClient({ dispatcher, observer: metrics, secrets, clock });
  const retry = { sleep: () => Promise.resolve() };
  const tokens = new TokenManager({
    orgLabel: 'org-1',
    readSecret: () => Promise.resolve('the-client-secret-Zq81'),
    exchange: oauthExchange({ http: httpClient, cspUrl: url, clock, timeoutMs: 5_000, retry, secrets }, 'app', 'org-1'),
    clock,
    observer: metrics,
    secrets,
    logger: captureLogger('silent').logger,
  });
  const vmc = new VmcClient({ http: httpClient, vmcUrl: url, clock, callBudgetMs: 5_000, retry });
  return { clock, metrics, tokens, vmc, close: () => dispatcher.destroy() };
}

async function expiryMetric(metrics: SelfMetrics): Promise<number | undefined> {
  return (await metrics.registry.getSingleMetric('vmc_token_expiry_timestamp_seconds')!.get()).values.find((v) => v.labels.org_id === 'org-1')?.value;
}

describe('token lifetimes from CSP', () => {
  test('expires_in 1e308: clamped to 24 h, one token request, a finite expiry, renewed before 24 h', async () => {
    const up = await upstream({ access_token: 'eyJ.tok-Zq81', expires_in: 1e308 });
    const s = stack(up.url);
    try {
      const start = s.clock.now();
      for (let i = 0; i < 5; i++) await s.vmc.listSddcs('org-1', s.tokens);
      assert.equal(up.counts.token, 1, 'one token for five collections');
      assert.equal(up.counts.vmc, 5);
      const expiry = await expiryMetric(s.metrics);
      assert.equal(expiry, (start + MAX_TOKEN_LIFETIME_SECONDS * 1000) / 1000);
      s.clock.advance(21 * 3600 * 1000);
      await s.tokens.getToken();
      assert.equal(up.counts.token, 1, 'still valid after 21 h');
      s.clock.advance(3 * 3600 * 1000);
      await s.tokens.getToken();
      assert.equal(up.counts.token, 2, 'renewed by 24 h');
    } finally {
      await s.close();
      await up.close();
    }
  });

  test('expires_in 0.001: used as 10 s, so collections do not ask for a token each time', async () => {
    const up = await upstream({ access_token: 'eyJ.tok-Zq81', expires_in: 0.001 });
    const s = stack(up.url);
    try {
      for (let i = 0; i < 3; i++) {
        await s.vmc.listSddcs('org-1', s.tokens);
        s.clock.advance(1_000);
      }
      assert.equal(up.counts.token, 1);
    } finally {
      await s.close();
      await up.close();
    }
  });
});

describe('access tokens that cannot be sent as a header', () => {
  for (const [name, token] of [
    ['a snowman', 'eyJ.Wq7k\u2603en'],
    ['a line break', 'eyJ.Wq7k\r\nX-Injected: 1'],
    ['a space', 'eyJ.Wq7k en'],
    ['a Latin-1 letter', 'eyJ.Wq7kén'],
  ] as const) {
    test(`${name}: a malformed token response at once, no VMC call`, async () => {
      const up = await upstream({ access_token: token, expires_in: 1799 });
      const s = stack(up.url);
      try {
        await assert.rejects(s.vmc.listSddcs('org-1', s.tokens), (err: unknown) => {
          assert.ok(err instanceof Error);
          assert.equal((err as { code?: unknown }).code, 'MALFORMED_RESPONSE');
          assert.match(err.message, /CSP token response unusable: token response access_token has characters that cannot go into an HTTP header/);
          assert.ok(!err.message.includes('Wq7k'), 'the token is not echoed');
          return true;
        });
        assert.equal(up.counts.token, 1, 'asked once, not retried');
        assert.equal(up.counts.vmc, 0, 'VMC never called with it');
      } finally {
        await s.close();
        await up.close();
      }
    });
  }

  test('every token the parser accepts is a valid header value (node:http validateHeaderValue as the oracle)', () => {
    let accepted = 0;
    // Every code point up to U+0FFF, then separators, BOM, replacement character, emoji, the last one.
    const codes = [...Array.from({ length: 0x1000 }, (_, i) => i), 0x2028, 0x2029, 0xfeff, 0xfffd, 0x1f600, 0x10ffff];
    for (const code of codes) {
      const token = `eyJ.a${String.fromCodePoint(code)}b`;
      let ok: boolean;
      try {
        parseTokenResponse({ access_token: token });
        ok = true;
      } catch (err) {
        assert.ok(err instanceof MalformedResponseError);
        ok = false;
      }
      if (!ok) continue;
      accepted++;
      assert.doesNotThrow(() => validateHeaderValue('csp-auth-token', token), `U+${code.toString(16)} accepted by the parser but not by node:http`);
    }
    assert.equal(accepted, 0x7e - 0x21 + 1, 'exactly the visible ASCII characters');
  });
});
