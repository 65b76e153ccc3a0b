/**
 * `vmc-exporter check` against the simulator, which models what it checks: which orgs the
 * OAuth app was added to, which roles it has (in the `perms` of its JWT-shaped tokens) and
 * which roles each VMC endpoint needs. One case per failure, each output compared with a
 * snapshot under test/fixtures/check/ (`UPDATE_GOLDEN=1` rewrites them) and searched for
 * every secret the simulator knows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCheck, type CheckReport } from '../../src/check/index.js';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createDispatcher } from '../../src/upstream/dispatcher.js';
import { SIM_ROLES, startSimulator, type SimulatorOptions } from '../../sim/src/server.js';
import { assertGolden } from '../helpers/golden.js';
import { captureLogger } from '../helpers/log-sink.js';

const CLIENT_ID = 'check-app-7f3a';
const CLIENT_SECRET = 'Qx7vN2kLp9RtZw4mYc8HbJ5sFd3G';
const API_TOKEN = 'Tk4nR8vLq2WmZx6pYc9HbJ3sFd7G5aE1';

interface Case {
  readonly name: string;
  readonly sim?: SimulatorOptions;
  /** Flags after the URLs; `{orgs}` is replaced by the estate's org ids. */
  readonly flags?: (orgs: readonly string[]) => string[];
  readonly env?: Record<string, string>;
  readonly ok: boolean;
  /** Something the output must say. */
  readonly says: RegExp;
}

const CASES: readonly Case[] = [
  { name: 'all-good', flags: (o) => [`--vmc.org=${o[0]}`, `--vmc.org=${o[1]}`], ok: true, says: /^All \d+ checks passed\.$/m },
  { name: 'all-good-discovered', ok: true, says: /orgs +ok +1 org: 0a0a0a0a/ },
  {
    name: 'wrong-secret',
    flags: (o) => [`--vmc.org=${o[0]}`],
    env: { VMC_CLIENT_SECRET: 'Wq9zXv2Lm3K9Pt7R' },
    ok: false,
    says: /-> CSP rejected the app id or secret: check VMC_CLIENT_ID/,
  },
  {
    name: 'app-not-in-org',
    sim: { appOrgIds: ['0a0a0a0a-1111-4222-8333-000000000001'] },
    flags: (o) => [`--vmc.org=${o[0]}`, `--vmc.org=${o[1]}`],
    ok: false,
    says: /-> app not added to org 0b0b0b0b-1111-4222-8333-000000000002: in that org, add the OAuth app/,
  },
  {
    name: 'missing-service-role',
    sim: { appRolesByOrg: { '0b0b0b0b-1111-4222-8333-000000000002': [SIM_ROLES.orgMember] } },
    flags: (o) => [`--vmc.org=${o[0]}`, `--vmc.org=${o[1]}`],
    ok: false,
    says: /-> no VMC service role in org 0b0b0b0b-1111-4222-8333-000000000002: give the OAuth app "VMware Cloud on AWS → Administrator \(Delete Restricted\)" there; or turn the collector off with --no-collector\.sddcs/,
  },
  {
    name: 'endpoint-forbidden',
    sim: { endpointRoles: { sddcs: [SIM_ROLES.nsxCloudAuditor] } },
    flags: (o) => [`--vmc.org=${o[0]}`],
    ok: false,
    says: /-> the roles of the token \(csp:org_member, external\/ybUdoTC05kYFC9ZG\/vmc-user:full\) do not allow this call; it likely needs .*; or turn the collector off with --no-collector\.sddcs/,
  },
  {
    name: 'api-token-other-org',
    flags: (o) => [`--vmc.org=${o[1]}`],
    env: { VMC_API_TOKEN: API_TOKEN },
    ok: false,
    says: /-> the token is for org 0a0a0a0a-1111-4222-8333-000000000001, not 0b0b0b0b-1111-4222-8333-000000000002: an API token covers its own org only/,
  },
];

async function check(c: Case): Promise<{ report: CheckReport; secrets: string[] }> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  const sim = await startSimulator({ clock, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiToken: API_TOKEN, ...c.sim });
  try {
    const env: Record<string, string> = c.env?.['VMC_API_TOKEN'] ? { ...c.env } : { VMC_CLIENT_ID: CLIENT_ID, VMC_CLIENT_SECRET: CLIENT_SECRET, ...c.env };
    const parsed = await parseCommandLine(['check', `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, ...(c.flags?.(sim.orgIds) ?? [])], env, { version: 'test', collectors: COLLECTORS });
    assert.ok(parsed.action === 'run' && parsed.command === 'check');
    const { logger, secrets } = captureLogger('debug');
    secrets.add(env['VMC_CLIENT_SECRET'] ?? env['VMC_API_TOKEN'] ?? '');
    const report = await runCheck(parsed.config, { secrets, logger, clock, dispatcher: createDispatcher({}, true) });
    return { report, secrets: [...sim.secrets(), ...Object.values(env).filter((v) => v !== CLIENT_ID)] };
  } finally {
    await sim.close();
  }
}

/** The report with the simulator's random port replaced. */
const stable = (text: string): string => text.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT');

describe('vmc-exporter check against the simulator', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`${c.name}: exit ${c.ok ? 0 : 1}, says what is missing, no secret`, async () => {
      const { report, secrets } = await check(c);
      assert.equal(report.ok, c.ok, report.text);
      assert.match(report.text, c.says);
      for (const secret of secrets) {
        assert.ok(!report.text.includes(secret), `the report contains a secret (${secret.slice(0, 4)}…)`);
        if (secret.length > 20) assert.ok(!report.text.includes(secret.slice(-12)), 'nor a piece of one');
      }
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(report.text), 'no JWT');
      await assertGolden(stable(report.text), new URL(`../fixtures/check/${c.name}.txt`, import.meta.url));
    });
  }
});

describe('a collector without check probes', () => {
  test('is checked by running its fetch; each VMC call it makes is a row', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    const sim = await startSimulator({ clock, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, appRolesByOrg: { '0b0b0b0b-1111-4222-8333-000000000002': [SIM_ROLES.orgMember] } });
    try {
      const { check: _probes, ...plain } = COLLECTORS[0]!;
      const env = { VMC_CLIENT_ID: CLIENT_ID, VMC_CLIENT_SECRET: CLIENT_SECRET };
      const parsed = await parseCommandLine(['check', `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, `--vmc.org=${sim.orgIds[0]}`, `--vmc.org=${sim.orgIds[1]}`], env, { version: 'test', collectors: COLLECTORS });
      assert.ok(parsed.action === 'run');
      const { logger, secrets } = captureLogger('debug');
      const report = await runCheck(parsed.config, { secrets, logger, clock, dispatcher: createDispatcher({}, true), collectors: [plain] });
      const calls = report.rows.filter((r) => r.collector === 'sddcs').map((r) => [r.org, r.endpoint, r.result, r.detail.replace(/127\.0\.0\.1:\d+/, 'SIM')]);
      assert.deepEqual(calls.map((c) => c.slice(0, 3)), [
        [sim.orgIds[0], 'sddcs', 'ok'],
        [sim.orgIds[1], 'sddcs', 'HTTP 403'],
      ]);
      assert.equal(calls[0]![3], `GET /vmc/api/orgs/${sim.orgIds[0]}/sddcs`);
      assert.equal(report.ok, false);
      assert.match(report.text, /no VMC service role in org 0b0b0b0b/);
    } finally {
      await sim.close();
    }
  });
});
