/**
 * Derived forms of every credential never leak when an upstream echoes what it was sent:
 * the HTTP Basic value `base64(client_id:secret)`, the URL-encoded and form-encoded forms of
 * the client secret, the API token and the access token, and the base64 of each. An echoing
 * CSP token endpoint (OAuth and API token) and an echoing VMC endpoint answer 401, 403, 429
 * and 500; the thrown errors, the `/metrics` bodies and the logs at every level (trace to
 * error) must carry none of these forms, whole or as a 12-character piece.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Agent } from 'undici';
import { apiTokenExchange, oauthExchange, type CspClientOptions } from '../../src/auth/csp-client.js';
import { TokenManager } from '../../src/auth/token-manager.js';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { systemClock } from '../../src/lib/clock.js';
import type { LogLevel } from '../../src/lib/logger.js';
import { SecretRegistry } from '../../src/lib/secrets.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { startExporter } from '../../src/run.js';
import { HttpClient } from '../../src/upstream/http-client.js';
import { VmcClient } from '../../src/vmc/vmc-client.js';
import { scrapeUrl } from '../helpers/exporter-harness.js';
import { captureLogger } from '../helpers/log-sink.js';
import { echoForms, formEncode, startEchoUpstream, type EchoTarget } from './echo-upstream.js';

const STATUSES = [401, 403, 429, 500] as const;
const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const TARGETS: ReadonlyArray<{ target: EchoTarget; auth: 'oauth' | 'api-token' }> = [
  { target: 'token', auth: 'oauth' },
  { target: 'api-token', auth: 'api-token' },
  { target: 'sddcs', auth: 'oauth' },
  { target: 'sddcs', auth: 'api-token' },
];

/**
 * Credentials whose encoded forms all differ from the raw value: a space, `+ / = & %` and a
 * non-ASCII letter, then random characters.
 */
function credentials() {
  const rnd = () => randomBytes(9).toString('base64url');
  const clientId = `app-${randomBytes(2).toString('hex')}`;
  const clientSecret = `Qz+/ =&%é${rnd()}`;
  const apiToken = `Qt&= +/%ü${rnd()}`;
  const accessToken = `eyJ${randomBytes(15).toString('base64')}+/x=`;
  const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
  const forms = [...echoForms(clientSecret), basic, encodeURIComponent(basic), formEncode(basic), ...echoForms(apiToken), ...echoForms(accessToken)];
  return { clientId, clientSecret, apiToken, accessToken, forms: [...new Set(forms)] };
}

/** Asserts `text` holds none of `forms`, nor any 12-character piece of one. */
function assertNoForms(where: string, text: string, forms: readonly string[]): void {
  for (const f of forms) {
    assert.ok(!text.includes(f), `${where} contains a credential form: ${f}`);
    for (let i = 0; i + 12 <= f.length; i++) {
      const piece = f.slice(i, i + 12);
      assert.ok(!text.includes(piece), `${where} contains a 12-character piece of ${f}: ${piece}`);
    }
  }
}

/** Every text an error carries: message, upstream message and code, cause. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { upstreamMessage?: string; upstreamCode?: string };
  return [e.message, e.upstreamMessage ?? '', e.upstreamCode ?? '', e.cause instanceof Error ? e.cause.message : ''].join('\n');
}

describe('echoed credentials: error messages', { concurrency: 4 }, () => {
  for (const { target, auth } of TARGETS) {
    for (const status of STATUSES) {
      test(`${target} (${auth}) answers ${status} echoing the request`, async () => {
        const c = credentials();
        const up = await startEchoUpstream({ target, status, accessToken: c.accessToken });
        const dispatcher = new Agent();
        try {
          const secrets = new SecretRegistry();
          const metrics = new SelfMetrics('test', false);
          const http = new HttpClient({ dispatcher, observer: metrics, secrets, clock: systemClock });
          const retry = { sleep: () => Promise.resolve() };
          const csp: CspClientOptions = { http, cspUrl: up.url, clock: systemClock, timeoutMs: 2_000, retry, secrets };
          const { logger } = captureLogger('silent', secrets);
          // The secret reader registers nothing: the exchange itself must register what it sends.
          const tokens = new TokenManager({
            orgLabel: 'org-1',
            readSecret: () => Promise.resolve(auth === 'oauth' ? c.clientSecret : c.apiToken),
            exchange: auth === 'oauth' ? oauthExchange(csp, c.clientId, 'org-1') : apiTokenExchange(csp),
            clock: systemClock,
            observer: metrics,
            secrets,
            logger,
          });
          const vmc = new VmcClient({ http, vmcUrl: up.url, clock: systemClock, callBudgetMs: 2_000, retry });
          const err = await vmc.listSddcs('org-1', tokens).then(
            () => assert.fail('the call should fail'),
            (e: unknown) => e,
          );
          assert.ok(up.echoed() > 0, 'the echoing endpoint was reached');
          const text = errorText(err);
          assert.match(text, new RegExp(`HTTP ${status}`));
          assert.match(text, /\[REDACTED\]/, 'the echo reached the message, scrubbed');
          assertNoForms('the error', text, c.forms);
        } finally {
          await dispatcher.destroy();
          await up.close();
        }
      });
    }
  }
});

describe('echoed credentials: logs at every level and /metrics', { concurrency: 4 }, () => {
  for (const { target, auth } of TARGETS) {
    for (const status of STATUSES) {
      for (const level of LEVELS) {
        test(`${target} (${auth}) answers ${status}; log level ${level}`, async () => {
          const c = credentials();
          const up = await startEchoUpstream({ target, status, accessToken: c.accessToken });
          const env: Record<string, string> =
            auth === 'oauth' ? { VMC_CLIENT_ID: c.clientId, VMC_CLIENT_SECRET: c.clientSecret } : { VMC_API_TOKEN: c.apiToken };
          const argv = ['--web.listen-address=127.0.0.1:0', `--csp.url=${up.url}`, `--vmc.url=${up.url}`, '--vmc.org=org-1', '--cache.ttl=0', '--vmc.timeout=1'];
          const parsed = await parseCommandLine(argv, env, { version: '0.0.0-test', collectors: COLLECTORS });
          assert.equal(parsed.action, 'run');
          if (parsed.action !== 'run') return;
          const log = captureLogger(level);
          const exporter = await startExporter(parsed.config, { logger: log.logger, secrets: log.secrets, version: '0.0.0-test', processMetrics: false });
          try {
            const bodies: string[] = [];
            for (let i = 0; i < 2; i++) {
              const s = await scrapeUrl(`${exporter.url}/metrics`, 3);
              assert.equal(s.status, 200);
              assert.equal(s.value('vmc_up', { org_id: 'org-1' }), 0);
              bodies.push(s.body);
            }
            assert.ok(up.echoed() > 0, 'the echoing endpoint was reached');
            const raw = log.raw();
            // The echoing endpoint is the SDDC list (or a token endpoint); other collectors' calls get 404 there.
            const failure = log.lines.find((l) => (l['level'] === 'warn' || l['level'] === 'error') && (l['collector'] === undefined || l['collector'] === 'sddcs'));
            if (level === 'trace' || level === 'debug' || level === 'info' || level === 'warn') {
              assert.ok(failure !== undefined, `the failure was logged at level ${level}: ${raw}`);
            }
            if (failure !== undefined) assert.match(JSON.stringify(failure), /\[REDACTED\]/, 'the echo reached the log line, scrubbed');
            assertNoForms(`logs at level ${level}`, raw, c.forms);
            for (const b of bodies) assertNoForms('/metrics', b, c.forms);
          } finally {
            await up.close();
            await exporter.close(1_000);
          }
        });
      }
    }
  }
});
