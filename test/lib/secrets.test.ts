import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { REDACTED, SecretRegistry, basicCredentials, derivedForms } from '../../src/lib/secrets.js';

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

test('add: the URL-encoded, form-encoded, base64 and base64url forms are scrubbed too', () => {
  const r = new SecretRegistry();
  const secret = 'Qz+/ =&%é-k7Rt2';
  r.add(secret);
  const b64 = Buffer.from(secret).toString('base64');
  for (const form of [encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), b64, Buffer.from(secret).toString('base64url')]) {
    assert.notEqual(form, secret);
    assert.equal(r.scrub(`echo ${form} end`), 'echo [REDACTED] end', form);
  }
  assert.deepEqual(derivedForms(secret).slice(0, 1), [secret]);
});

test('addBasicCredentials: the Basic value (and its encodings) and the secret are scrubbed', () => {
  const r = new SecretRegistry();
  r.addBasicCredentials('my-app', 'Zq8-secret+value');
  const basic = basicCredentials('my-app', 'Zq8-secret+value');
  assert.equal(basic, Buffer.from('my-app:Zq8-secret+value').toString('base64'));
  assert.equal(r.scrub(`Authorization: Basic ${basic}`), 'Authorization: Basic [REDACTED]');
  assert.equal(r.scrub(`auth=Basic%20${encodeURIComponent(basic)}`), 'auth=Basic%20[REDACTED]');
  assert.equal(r.scrub('secret Zq8-secret+value'), 'secret [REDACTED]');
  // A cut echo of the Basic value (an upstream message cut to length) is masked as a run.
  assert.equal(r.scrub(`got Basic ${basic.slice(0, 20)}…`), 'got Basic [REDACTED]…');
});

test('addToken: a token and its forms are forgotten together once 16 newer tokens are known', () => {
  const r = new SecretRegistry();
  const first = 'tok+0/Aa9 first-token';
  r.addToken(first);
  const encoded = encodeURIComponent(first);
  assert.equal(r.scrub(encoded), REDACTED);
  for (let i = 1; i <= 16; i++) r.addToken(`token-${i}-${'x'.repeat(10)}`);
  assert.equal(r.scrub(`${first} ${encoded}`).includes(REDACTED), false);
});

test('addToken: every remembered token is scrubbed whole and in its forms, beyond the recent ones scrubbed of fragments', () => {
  // Distinct enough that no token shares a fragment with another.
  const tokens = Array.from({ length: 600 }, (_, i) => `eyJ.${createHash('sha256').update(String(i)).digest('base64url')}`);
  const r = new SecretRegistry({ maxTokens: 1000 });
  for (const t of tokens) r.addToken(t);
  for (const t of [tokens[0]!, tokens[299]!, tokens[599]!]) {
    assert.equal(r.scrub(`bad token ${t}`), `bad token ${REDACTED}`, t);
    assert.equal(r.scrub(`echo ${Buffer.from(t).toString('base64')}`), `echo ${REDACTED}`);
  }
  const small = new SecretRegistry();
  for (const t of tokens.slice(0, 40)) small.addToken(t);
  assert.ok(small.scrub(`bad token ${tokens[0]}`).includes(tokens[0]!.slice(-30)), 'the default keeps 16 tokens');
  assert.equal(small.scrub(`bad token ${tokens[39]}`), `bad token ${REDACTED}`);
});

test('removeToken: a removed token and its forms are no longer scrubbed; the others still are', () => {
  const r = new SecretRegistry();
  const gone = 'tok+0/Aa9 gone-token';
  const kept = 'tok-1.Bb8 kept-token';
  r.addToken(gone);
  r.addToken(kept);
  assert.equal(r.scrub(encodeURIComponent(gone)), REDACTED);
  r.removeToken(gone);
  r.removeToken('never-added-token');
  assert.equal(r.tokenCount, 1);
  assert.equal(r.scrub(encodeURIComponent(gone)), encodeURIComponent(gone));
  assert.equal(r.scrub(`a ${kept} b`), `a ${REDACTED} b`);
});
