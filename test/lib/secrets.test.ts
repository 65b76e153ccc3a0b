import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretRegistry } from '../../src/lib/secrets.js';

const reg = new SecretRegistry();
reg.add('simsecret-C6TrGUtmR87L5kJFRWlwHaQPoFHpu9Bt');
reg.addToken('eyJhbGciOiJSUzI1NiJ9.access-token-Zk29dQ');

const cases: Array<[string, string, string]> = [
  ['the whole secret', 'secret is simsecret-C6TrGUtmR87L5kJFRWlwHaQPoFHpu9Bt!', 'secret is [REDACTED]!'],
  ['a random-looking 5-character echo', 'invalid_grant: token ends pu9Bt', 'invalid_grant: token ends [REDACTED]'],
  ['a long run', 'got GUtmR87L5kJ back', 'got [REDACTED] back'],
  ['CSP ellipsis echo of an unknown token', 'Invalid refresh token: xxxx...tN3NK', 'Invalid refresh token: xxxx...[REDACTED]'],
  ['an access token piece', 'csp said access-token-Zk29dQ', 'csp said [REDACTED]'],
  ['words a secret happens to contain stay', 'use --auth.client-secret-file, fix the secret', 'use --auth.client-secret-file, fix the secret'],
  ['ordinary ellipsis stays', 'waiting...done', 'waiting...done'],
];
for (const [name, input, want] of cases) test(`scrub: ${name}`, () => assert.equal(reg.scrub(input), want));
