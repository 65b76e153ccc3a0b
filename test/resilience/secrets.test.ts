/**
 * Canary secrets across every failure path: the client secret, the API token, every access
 * token and every SDDC password must never appear in logs, `/metrics` bodies or error
 * messages, including when CSP or VMC echo (part of) a credential back in an error body.
 * Also for the built binary: process command line, `--help`, stdout and stderr.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { DEMO } from '../../sim/src/demo-estate.js';
import { startSimulator, type Fault, type Simulator } from '../../sim/src/server.js';
import { scrapeUrl, startHarness } from '../helpers/exporter-harness.js';
import { cleanEnv, cmdline, EXPORTER_BIN, requireBuild, runNode, sleep, spawnExporter, waitFor, waitUntil } from '../helpers/processes.js';

/** A canary: distinctive, random, no English words (the scrubber masks 6-character runs). */
const canary = (tag: string) => `Qz${tag}${randomBytes(30).toString('base64url')}`;

/** Pieces of `secret` of `len` characters, every `step` characters. */
function windows(secret: string, len: number, step = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i + len <= secret.length; i += step) out.push(secret.slice(i, i + len));
  return out;
}

/**
 * Asserts `text` holds none of `secrets` (whole) and, for the ones the exporter knows
 * (`known`), no 12-character piece either; plus none of the `echoed` fragments.
 */
function assertClean(where: string, text: string, secrets: Iterable<string>, known: Iterable<string> = [], echoed: Iterable<string> = []): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} contains a secret value (${s.slice(0, 6)}…)`);
  for (const s of known) {
    for (const w of windows(s, 12)) assert.ok(!text.includes(w), `${where} contains a 12-character piece of a secret: ${w}`);
  }
  for (const f of echoed) assert.ok(!text.includes(f), `${where} contains an echoed fragment: ${f}`);
}

/** Access tokens issued so far (simulator secrets that are JWTs). */
const accessTokens = (sim: Simulator) => sim.secrets().filter((s) => s.split('.').length === 3 && s.startsWith('eyJ'));

/** A VMC error body echoing `messages`. */
const vmcEcho = (status: number, messages: string[]) =>
  JSON.stringify({ status, path: '/vmc/api/orgs/x/sddcs', retryable: false, error_code: 'unauthenticated', error_messages: messages });
/** A CSP error body echoing `message` and `code`. */
const cspEcho = (status: number, message: string, code: string) =>
  JSON.stringify({ statusCode: status, cspErrorCode: code, message, moduleCode: 250, requestId: 'r1', traceId: 't1', metadata: null });

const DATA_FAULTS: ReadonlyArray<Omit<Fault, 'org' | 'endpoint'>> = [
  { status: 401 },
  { status: 403 },
  { status: 404 },
  { status: 429 },
  { status: 500 },
  { status: 503 },
  { kind: 'malformed' },
  { kind: 'wrong-types' },
  { kind: 'truncated' },
  { kind: 'reset' },
  { kind: 'empty' },
];

describe('secrets never leak (in-process exporter)', { concurrency: 3 }, () => {
  test('OAuth app: every fault kind (one per org at a time)', async () => {
    const h = await startHarness({ sim: { clientSecret: canary('cs'), apiToken: canary('at') }, flags: ['--vmc.timeout=1', '--cache.max-stale=5m'] });
    const bodies: string[] = [];
    try {
      const [a, b] = h.orgs as [string, string];
      bodies.push((await h.scrape(2)).body);
      for (let i = 0; i < DATA_FAULTS.length; i += 2) {
        h.sim.addFault({ endpoint: 'sddcs', org: a, ...DATA_FAULTS[i] });
        const other = DATA_FAULTS[i + 1];
        if (other) h.sim.addFault({ endpoint: 'sddcs', org: b, ...other });
        const s = await h.scrape(2); // budget 1.5 s > the 1 s request budget: collections end within it
        assert.equal(s.status, 200);
        bodies.push(s.body);
        h.sim.clearFaults();
      }
      bodies.push((await h.scrape(2)).body);
      assert.ok(h.problems().length >= DATA_FAULTS.length - 1, 'the failures were logged');
      const known = [h.sim.credentials.clientSecret, ...accessTokens(h.sim)];
      assertClean('logs', h.rawLogs(), h.sim.secrets(), known);
      for (const body of bodies) assertClean('/metrics', body, h.sim.secrets(), known);
    } finally {
      await h.close();
    }
  });

  test('OAuth app: VMC and CSP echoing tokens and the secret in error bodies', async () => {
    const h = await startHarness({ sim: { clientSecret: canary('cs'), apiToken: canary('at') }, flags: ['--vmc.timeout=1', '--cache.max-stale=5m'] });
    const bodies: string[] = [];
    const echoed: string[] = [];
    const scrape = async () => {
      const s = await h.scrape(2);
      assert.equal(s.status, 200);
      bodies.push(s.body);
      return s;
    };
    const failedWith = (text: string) => () =>
      h.logs.some((l) => (l['level'] === 'warn' || l['level'] === 'error') && String((l['err'] as { message?: string })?.message).includes(text));
    try {
      const [a] = h.orgs as [string, string];
      await scrape();

      // VMC answers 401 and echoes the token it was given, whole and in part.
      const tokens = accessTokens(h.sim);
      assert.ok(tokens.length >= 2);
      // Short echoes first: the exporter keeps the first 200 characters of an upstream message.
      const messages = [...tokens.flatMap((t) => [`tail ${t.slice(-20)}`, `part ${t.slice(40, 52)}`]), ...tokens.map((t) => `invalid token ${t}`)];
      echoed.push(...tokens.flatMap((t) => [t.slice(-20), t.slice(40, 52)]));
      h.sim.addFault({ endpoint: 'sddcs', org: a, status: 401, body: vmcEcho(401, messages) });
      await scrape();
      await waitFor('the VMC 401 line', failedWith('HTTP 401'), { timeoutMs: 5000, intervalMs: 20 });
      h.sim.clearFaults();
      await scrape();

      // CSP rejects and echoes the client secret, whole and in part (message and code).
      const secret = h.sim.credentials.clientSecret;
      echoed.push(secret.slice(5, 17), secret.slice(-10));
      h.sim.addFault({ endpoint: 'token', status: 401, body: cspEcho(401, `bad client secret ${secret} (${secret.slice(5, 17)})`, secret.slice(-10)) });
      h.sim.revokeTokens();
      await scrape();
      await waitFor('the rejection line', () => h.logs.some((l) => l['level'] === 'error'), { timeoutMs: 5000, intervalMs: 20 });
      h.sim.clearFaults();
      h.clock.advance(11_000);
      const s = await scrape();
      assert.equal(s.value('vmc_up', { org_id: a }), 1, 'recovered');

      // CSP's own messages may echo what was sent: a 500 quoting the token request's form.
      h.sim.addFault({ endpoint: 'token', status: 500, body: cspEcho(500, `failed: grant_type=client_credentials client_secret=${secret}`, 'x') });
      h.sim.revokeTokens();
      await scrape();
      await waitFor('the CSP 500 line', failedWith('HTTP 500'), { timeoutMs: 5000, intervalMs: 20 });
      h.sim.clearFaults();
      await scrape();

      const logs = h.rawLogs();
      assert.ok(logs.includes('[REDACTED]'), 'the echoes were there and were scrubbed');
      const known = [secret, ...accessTokens(h.sim)];
      assertClean('logs', logs, h.sim.secrets(), known, echoed);
      for (const body of bodies) assertClean('/metrics', body, h.sim.secrets(), known, echoed);
    } finally {
      await h.close();
    }
  });

  test('every secret field of the SDDC payload carries a canary: none reaches /metrics or the logs', async () => {
    const h = await startHarness({ flags: ['--cache.max-stale=5m'] });
    try {
      const [a] = h.orgs as [string];
      const c = (field: string) => canary(field.replace(/[^a-z]/gi, '').slice(0, 6));
      const canaries: string[] = [];
      const mark = (field: string) => {
        const v = c(field);
        canaries.push(v);
        return v;
      };
      const client = (name: string) => ({ id: `${name}-id`, secret: mark(`${name}.secret`), accessTokenTTL: 1800, refreshTokenTTL: 0 });
      const sddc = {
        id: 'canary-sddc',
        name: 'canary',
        sddc_state: 'READY',
        sddc_access_state: 'ENABLED',
        account_link_state: 'LINKED',
        resource_config: {
          cloud_username: mark('cloud_username'),
          cloud_password: mark('cloud_password'),
          nsx_cloud_admin: mark('nsx_cloud_admin'),
          nsx_cloud_admin_password: mark('nsx_cloud_admin_password'),
          nsx_cloud_audit: mark('nsx_cloud_audit'),
          nsx_cloud_audit_password: mark('nsx_cloud_audit_password'),
          cloud_user_group: mark('cloud_user_group'),
          nsx_user_client: client('nsx_user_client'),
          nsx_service_client: client('nsx_service_client'),
          nsx_native_client: client('nsx_native_client'),
          vc_oauth_client: client('vc_oauth_client'),
          custom_properties: { p: mark('custom_properties') },
          vsan_encryption_config: { certificate: mark('certificate') },
          agents: [
            {
              agent_url: 'https://10.0.0.1',
              sddc_csp_oauth_client: { csp_oauth_client: { client_id: 'agent', client_secret: mark('client_secret') } },
              key_pair: { key_name: 'k', key_material: mark('key_material') },
            },
          ],
          clusters: [
            {
              cluster_id: 'canary-cluster',
              cluster_name: 'Cluster-1',
              availability_type: 'MULTI_AZ',
              custom_properties: { p: mark('cluster.custom_properties') },
              vsan_witness: { enum_state: 'READY', provider: 'AWS', esx_credential: mark('witness.esx_credential') },
              esx_host_list: [
                { esx_id: 'canary-host', name: 'esx-1', esx_state: 'READY', esx_credential: mark('esx_credential'), custom_properties: { p: mark('host.custom_properties') } },
                { name: 'no-id-host', esx_state: 'READY', esx_credential: mark('no-id.esx_credential') },
              ],
            },
          ],
        },
      };
      h.sim.addSddc(a, sddc);
      h.sim.addSddc(a, { ...sddc, id: undefined });
      const s = await h.scrape(2);
      assert.equal(s.status, 200);
      assert.equal(s.value('vmc_host_state', { org_id: a, host_id: 'canary-host', state: 'READY' }), 1, 'the SDDC was read');
      assert.equal(s.value('vmc_cluster_witness_state', { org_id: a, cluster_id: 'canary-cluster', state: 'READY' }), 1);
      assert.ok(h.logs.some((l) => l['msg'] === 'collected data had entries that were skipped or merged'), 'problems were logged');
      h.sim.addFault({ endpoint: 'sddcs', org: a, kind: 'wrong-types' });
      const failing = await h.scrape(2);
      assert.equal(failing.value('vmc_up', { org_id: a }), 0);
      assertClean('logs', h.rawLogs(), canaries);
      for (const body of [s.body, failing.body]) assertClean('/metrics', body, canaries);
    } finally {
      await h.close();
    }
  });

  test('API token details: the token is sent only in the details body; echoes of it and of that body are scrubbed', async () => {
    const apiToken = canary('tk');
    const h = await startHarness({ orgs: [], auth: 'api-token-env', sim: { apiToken }, flags: ['--collector.api_token.ttl=0'] });
    try {
      const good = await h.scrape(2);
      assert.ok(good.value('vmc_api_token_expiry_timestamp_seconds', { org_id: '' }) !== undefined, 'the details were read (their answer carries the token)');
      const body = JSON.stringify({ tokenValue: apiToken });
      h.sim.addFault({ endpoint: 'api-token-details', status: 404, body: cspEcho(404, `Resource not found: ${body} ...${apiToken.slice(-5)}`, `540.120 ${apiToken}`) });
      const failing = await h.scrape(2);
      assert.equal(failing.value('vmc_collector_success', { org_id: '', collector: 'api_token' }), 0);
      await h.waitForLog((l) => l['collector'] === 'api_token' && l['level'] === 'warn');
      const message = String((h.problems().find((l) => l['collector'] === 'api_token')?.['err'] as { message?: string })?.message);
      assert.match(message, /CSP has no details of the API token \(HTTP 404\): it is expired, revoked or unknown/);
      const known = [apiToken, ...accessTokens(h.sim)];
      assertClean('logs', h.rawLogs(), [apiToken, body], known, [apiToken.slice(-5)]);
      for (const b of [good.body, failing.body]) assertClean('/metrics', b, [apiToken, body], known);
    } finally {
      await h.close();
    }
  });

  test('OAuth app with a wrong secret file: the presented secret is never echoed back into the logs', async () => {
    const wrong = canary('wr');
    const h = await startHarness({ auth: 'oauth-file', secretFileContent: wrong, sim: { clientSecret: canary('cs') } });
    try {
      h.sim.addFault({ endpoint: 'token', status: 400, body: cspEcho(400, `invalid_client: unknown secret ${wrong}`, wrong.slice(2, 14)) });
      const s = await h.scrape(1);
      assert.equal(s.status, 200);
      await waitFor('the rejection line', () => h.logs.some((l) => l['level'] === 'error'), { timeoutMs: 5000, intervalMs: 20 });
      assertClean('logs', h.rawLogs(), [wrong, ...h.sim.secrets()], [wrong], [wrong.slice(2, 14)]);
      assertClean('/metrics', s.body, [wrong, ...h.sim.secrets()], [wrong]);
    } finally {
      await h.close();
    }
  });

  test('API token: CSP 404 echoing (part of) the token, then a token that works, then echoes of it', async (t) => {
    const wrong = canary('wt');
    const h = await startHarness({ auth: 'api-token-file', secretFileContent: wrong, orgs: [DEMO.orgs.prod], sim: { apiToken: canary('at') }, flags: ['--vmc.timeout=1'] });
    const bodies: string[] = [];
    try {
      // The simulator's own 404 echoes the last 5 characters of the presented token.
      bodies.push((await h.scrape(1)).body);
      await waitFor('the rejection line', () => h.logs.some((l) => l['level'] === 'error'), { timeoutMs: 5000, intervalMs: 20 });
      const tail = wrong.slice(-5);
      const line = h.logs.find((l) => l['level'] === 'error');
      const message = String((line?.['err'] as { message?: string })?.message);
      t.diagnostic(`CSP 404 as logged: ${message.replace(tail, '<5-char tail>')}`);

      // A CSP that echoes more of it: whole, 20-character tail, 12-character middle.
      h.sim.addFault({ endpoint: 'api-token', status: 404, body: cspEcho(404, `invalid_grant: Invalid refresh token: ${wrong} ...${wrong.slice(-20)}`, wrong.slice(10, 22)) });
      h.clock.advance(11_000);
      bodies.push((await h.scrape(1)).body);
      await sleep(200);
      h.sim.clearFaults();

      // The right token (file fixed), then CSP and VMC echoing it and the access token.
      const right = h.sim.credentials.apiToken;
      await writeFile(h.secretFile ?? '', right);
      const ok = await h.scrape(1);
      bodies.push(ok.body);
      assert.equal(ok.value('vmc_up', { org_id: DEMO.orgs.prod }), 1);
      const lineWith = (text: string) => () => h.logs.some((l) => l['level'] === 'warn' && String((l['err'] as { message?: string })?.message).includes(text));
      h.sim.addFault({ endpoint: 'sddcs', status: 401, body: vmcEcho(401, accessTokens(h.sim).map((x) => `bad ${x}`)) });
      // Scrape until the failure is logged: a scrape may join a collection already in flight.
      const scrapeUntil = (what: string, logged: () => boolean) =>
        waitFor(what, async () => (logged() ? true : void bodies.push((await h.scrape(2)).body)), { timeoutMs: 15_000, intervalMs: 20 });
      await scrapeUntil('the VMC 401 line', lineWith('HTTP 401'));
      h.sim.clearFaults();
      h.sim.addFault({ endpoint: 'api-token', status: 500, body: cspEcho(500, `upstream failed for api_token=${right}`, right.slice(3, 15)) });
      h.sim.revokeTokens();
      await scrapeUntil('the CSP 500 line', lineWith('HTTP 500'));
      h.sim.clearFaults();
      bodies.push((await h.scrape(2)).body);

      const echoed = [wrong.slice(-20), wrong.slice(10, 22), right.slice(3, 15)];
      const known = [wrong, right, ...accessTokens(h.sim)];
      assertClean('logs', h.rawLogs(), [wrong, ...h.sim.secrets()], known, echoed);
      for (const b of bodies) assertClean('/metrics', b, [wrong, ...h.sim.secrets()], known, echoed);
    } finally {
      await h.close();
    }
  });
});

describe('secrets never leak (built binary)', () => {
  let sim: Simulator;
  before(async () => {
    requireBuild();
    sim = await startSimulator({ clientSecret: canary('cs'), apiToken: canary('at') });
  });
  after(async () => {
    await sim.close();
  });

  const baseArgs = () => [
    '--web.listen-address=127.0.0.1:0',
    `--csp.url=${sim.url}`,
    `--vmc.url=${sim.url}`,
    `--vmc.org=${DEMO.orgs.prod}`,
    `--vmc.org=${DEMO.orgs.dev}`,
    '--cache.ttl=0',
    '--vmc.timeout=2',
    '--log.level=debug',
  ];

  test('OAuth secret in the environment: not in /proc/<pid>/cmdline, /metrics, stdout or stderr across failures', async () => {
    const env = cleanEnv({ VMC_CLIENT_ID: sim.credentials.clientId, VMC_CLIENT_SECRET: sim.credentials.clientSecret });
    const child = await spawnExporter(baseArgs(), env);
    const bodies: string[] = [];
    try {
      const argv = cmdline(child.pid).join(' ');
      assert.ok(argv.includes('dist/main.js'));
      assertClean('/proc/<pid>/cmdline', argv, sim.secrets(), [sim.credentials.clientSecret]);

      const scrape = async () => {
        const s = await scrapeUrl(`${child.url}/metrics`, 1.5);
        assert.equal(s.status, 200);
        bodies.push(s.body);
        return s;
      };
      assert.equal((await scrape()).value('vmc_up', { org_id: DEMO.orgs.prod }), 1);
      const tokens = accessTokens(sim);
      sim.addFault({ endpoint: 'sddcs', status: 401, body: vmcEcho(401, tokens.map((x) => `bad token ${x}`)) });
      await scrape();
      sim.clearFaults();
      // (every fault kind is covered in-process above; here the process-level outputs)
      for (const f of [{ status: 500 }, { kind: 'malformed' }, { kind: 'reset' }] as const) {
        sim.addFault({ endpoint: 'sddcs', org: DEMO.orgs.dev, ...f });
        await scrape();
        sim.clearFaults();
      }
      const secret = sim.credentials.clientSecret;
      sim.addFault({ endpoint: 'token', status: 401, body: cspEcho(401, `bad secret ${secret}`, secret.slice(-12)) });
      sim.revokeTokens();
      await scrape();
      await sleep(300);
      await scrape();
      sim.clearFaults();
    } finally {
      const exit = await child.stop();
      assert.equal(exit.code, 0, `clean exit on SIGTERM (stderr: ${child.stderr()})`);
    }
    const known = [sim.credentials.clientSecret, ...accessTokens(sim)];
    assert.ok(child.stdout().includes('[REDACTED]'), 'echoes reached the logs, scrubbed');
    assertClean('stdout', child.stdout(), sim.secrets(), known, [sim.credentials.clientSecret.slice(-12)]);
    assertClean('stderr', child.stderr(), sim.secrets(), known);
    assert.equal(child.stderr(), '');
    for (const b of bodies) assertClean('/metrics', b, sim.secrets(), known);
  });

  test('API token in the environment, rejected with an echo: not in stdout or stderr', async () => {
    const wrong = canary('wt');
    const env = cleanEnv({ VMC_API_TOKEN: wrong });
    const child = await spawnExporter([...baseArgs().filter((a) => !a.startsWith('--vmc.org')), `--vmc.org=${DEMO.orgs.prod}`], env);
    try {
      assertClean('/proc/<pid>/cmdline', cmdline(child.pid).join(' '), [wrong], [wrong]);
      sim.addFault({ endpoint: 'api-token', status: 404, body: cspEcho(404, `Invalid refresh token: ${wrong}`, wrong.slice(-14)) });
      const s = await scrapeUrl(`${child.url}/metrics`, 1);
      assert.equal(s.status, 200);
      assertClean('/metrics', s.body, [wrong], [wrong]);
      await waitUntil(child, 'the rejection line', () => child.lines().some((l) => l['level'] === 'error'), 5000);
    } finally {
      sim.clearFaults();
      await child.stop();
    }
    assertClean('stdout', child.stdout(), [wrong], [wrong], [wrong.slice(-14)]);
    assertClean('stderr', child.stderr(), [wrong], [wrong]);
  });

  test('--help, --version and startup errors with secrets in the environment do not print them', async () => {
    const secret = canary('cs');
    const token = canary('at');
    const env = cleanEnv({ VMC_CLIENT_ID: 'app', VMC_CLIENT_SECRET: secret });
    for (const args of [['--help'], ['--version']]) {
      const r = await runNode(EXPORTER_BIN, args, env);
      assert.equal(r.code, 0);
      assertClean(`${args[0]} output`, r.stdout + r.stderr, [secret], [secret]);
    }
    const cases: Array<{ args: string[]; env: Record<string, string> }> = [
      // both an OAuth app and an API token
      { args: [], env: cleanEnv({ VMC_CLIENT_ID: 'app', VMC_CLIENT_SECRET: secret, VMC_API_TOKEN: token }) },
      // a secret on the command line is refused without echoing it
      { args: [`--auth.client-secret=${secret}`], env: cleanEnv({ VMC_CLIENT_ID: 'app' }) },
      { args: ['--auth.api-token', token], env: cleanEnv() },
      // credentials in a URL
      { args: [`--vmc.url=https://user:${secret}@vmc.example.com`], env },
      { args: [`--csp.url=https://${token}@csp.example.com`], env },
    ];
    await Promise.all(
      cases.map(async (c) => {
        const r = await runNode(EXPORTER_BIN, ['--web.listen-address=127.0.0.1:0', ...c.args], c.env);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
        assertClean(`stderr of ${c.args.join(' ') || 'env'}`, r.stderr + r.stdout, [secret, token], [secret, token]);
      }),
    );
  });
});
