/**
 * The simulator's model of what `vmc-exporter check` checks: the orgs the OAuth app was
 * added to, its roles (the `perms` of its JWT-shaped tokens), and the roles each VMC
 * endpoint needs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SIM_ROLES, startSimulator } from '../../sim/src/server.js';

async function token(url: string, id: string, secret: string, orgId?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/csp/gateway/am/api/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials${orgId ? `&orgId=${orgId}` : ''}`,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const claims = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('simulator: app membership, roles and endpoint permissions', () => {
  test('tokens carry the app roles of the org in perms (and scope); an org the app is not in gets CSP\'s error', async () => {
    const sim = await startSimulator({ appOrgIds: ['0a0a0a0a-1111-4222-8333-000000000001'], appRolesByOrg: { '0a0a0a0a-1111-4222-8333-000000000001': [SIM_ROLES.orgMember, SIM_ROLES.vmcDeleteRestricted] } });
    try {
      const { clientId, clientSecret } = sim.credentials;
      const ok = await token(sim.url, clientId, clientSecret, sim.orgIds[0]);
      assert.equal(ok.status, 200);
      const c = claims(ok.body['access_token'] as string);
      assert.deepEqual([c['context_name'], c['azp'], c['perms']], [sim.orgIds[0], clientId, [SIM_ROLES.orgMember, SIM_ROLES.vmcDeleteRestricted]]);
      assert.equal(ok.body['scope'], `openid ${SIM_ROLES.orgMember} ${SIM_ROLES.vmcDeleteRestricted}`);
      const other = await token(sim.url, clientId, clientSecret, sim.orgIds[1]);
      assert.equal(other.status, 400);
      assert.equal(other.body['cspErrorCode'], '250.105');
    } finally {
      await sim.close();
    }
  });

  test('without a VMC service role every VMC call answers 403; the endpoint table decides per endpoint', async () => {
    const sim = await startSimulator({
      appRolesByOrg: { '0b0b0b0b-1111-4222-8333-000000000002': [SIM_ROLES.orgMember] },
      endpointRoles: { orgs: [SIM_ROLES.nsxCloudAuditor] },
    });
    try {
      const { clientId, clientSecret } = sim.credentials;
      const get = async (org: string, path: string) => {
        const t = (await token(sim.url, clientId, clientSecret, org)).body['access_token'] as string;
        return (await fetch(`${sim.url}${path}`, { headers: { 'csp-auth-token': t } })).status;
      };
      const [a, b] = sim.orgIds as [string, string];
      assert.equal(await get(a, `/vmc/api/orgs/${a}/sddcs`), 200, 'administrator may list SDDCs');
      assert.equal(await get(b, `/vmc/api/orgs/${b}/sddcs`), 403, 'no VMC role: 403');
      assert.equal(await get(a, '/vmc/api/orgs'), 403, 'the org list needs the NSX auditor role in this table');
    } finally {
      await sim.close();
    }
  });
});
