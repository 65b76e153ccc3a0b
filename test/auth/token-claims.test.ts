import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVmcServiceRole, readTokenClaims } from '../../src/auth/token-claims.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'RS256' })}.${b64(payload)}.c2ln`;

test('reads context_name, perms, azp and exp of a JWT without verifying it', () => {
  const claims = readTokenClaims(jwt({ context_name: 'org-1', perms: ['csp:org_member', 'external/x/vmc-user:full', 7], azp: 'app-1', exp: 1_700_000_000, sub: 'app-1' }));
  assert.deepEqual(claims, { org: 'org-1', perms: ['csp:org_member', 'external/x/vmc-user:full'], clientId: 'app-1', expiresAt: 1_700_000_000_000 });
});

test('missing claims are undefined or empty; a token that is not a JWT gives undefined', () => {
  assert.deepEqual(readTokenClaims(jwt({})), { org: undefined, perms: [], clientId: undefined, expiresAt: undefined });
  for (const bad of ['opaque-token', 'a.b', 'a.!!.c', `a.${Buffer.from('not json').toString('base64url')}.c`, `a.${b64([1])}.c`, 'a.b.c.d']) {
    assert.equal(readTokenClaims(bad), undefined, bad);
  }
});

test('VMC service roles', () => {
  assert.ok(isVmcServiceRole('external/ybUdoTC05kYFC9ZG/vmc-user:full'));
  assert.ok(!isVmcServiceRole('csp:org_member'));
  assert.ok(!isVmcServiceRole('external/ybUdoTC05kYFC9ZG/nsx:cloud_admin'));
});
