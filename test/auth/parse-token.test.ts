import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { parseTokenResponse } from '../../src/auth/parse-token.js';
import { MalformedResponseError } from '../../src/lib/errors.js';

const FIXTURES = new URL('../fixtures/real-world/', import.meta.url);

function fixture(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as unknown;
}

/** Asserts a MalformedResponseError whose message contains none of `secrets`. */
function assertMalformed(input: unknown, secrets: readonly string[] = []): MalformedResponseError {
  let caught: unknown;
  try {
    parseTokenResponse(input);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MalformedResponseError, `expected MalformedResponseError, got ${String(caught)}`);
  assert.equal(caught.code, 'MALFORMED_RESPONSE');
  for (const s of secrets) assert.ok(!caught.message.includes(s), `message leaks ${s}: ${caught.message}`);
  return caught;
}

describe('parseTokenResponse: real token responses', () => {
  it('vib-csp-token-response.json: expires_in 1799', () => {
    assert.deepEqual(parseTokenResponse(fixture('vib-csp-token-response.json')), {
      accessToken: 'REDACTED-access_token',
      expiresInSeconds: 1799,
    });
  });

  it('wavefront-csp-token-response.json: expires_in 1, used as the 10 s minimum', () => {
    assert.deepEqual(parseTokenResponse(fixture('wavefront-csp-token-response.json')), {
      accessToken: 'REDACTED-access_token',
      expiresInSeconds: 10,
    });
  });

  it('salt-csp-token-response-access-token-only.json: no expires_in → 300', () => {
    assert.deepEqual(parseTokenResponse(fixture('salt-csp-token-response-access-token-only.json')), {
      accessToken: 'REDACTED-access_token',
      expiresInSeconds: 300,
    });
  });

  it('a CSP error body is not a token response', () => {
    assertMalformed(fixture('tfvmc-issue183-csp-error-401-missing-authorization.json'), [
      'Missing mandatory',
      'fb5236b49918695e',
    ]);
  });
});

describe('parseTokenResponse: expires_in', () => {
  const cases: [string, unknown, number][] = [
    ['a positive integer', 1799, 1799],
    ['a positive fraction (below the minimum)', 0.5, 10],
    ['one second (below the minimum)', 1, 10],
    ['just below the minimum', 9.9, 10],
    ['the minimum', 10, 10],
    ['the maximum', 86_400, 86_400],
    ['just above the maximum', 86_401, 86_400],
    ['1e308 (above the maximum)', 1e308, 86_400],
    ['Number.MAX_VALUE', Number.MAX_VALUE, 86_400],
    ['a huge numeric string', '9'.repeat(400), 86_400],
    ['a numeric string', '1799', 1799],
    ['a numeric string with spaces', ' 600 ', 600],
    ['a decimal string', '12.5', 12.5],
    ['absent', undefined, 300],
    ['null', null, 300],
    ['zero', 0, 300],
    ['negative', -5, 300],
    ['NaN', Number.NaN, 300],
    ['Infinity (1e999 in JSON)', Number.POSITIVE_INFINITY, 86_400],
    ['-Infinity', Number.NEGATIVE_INFINITY, 300],
    ['an empty string', '', 300],
    ['a non-numeric string', 'soon', 300],
    ['a hex string', '0x10', 300],
    ['a negative string', '-60', 300],
    ['a boolean', true, 300],
    ['an object', { seconds: 60 }, 300],
    ['an array', [60], 300],
  ];
  for (const [label, value, expected] of cases) {
    it(`${label} → ${expected}`, () => {
      assert.equal(
        parseTokenResponse({ access_token: 'tok', expires_in: value }).expiresInSeconds,
        expected,
      );
    });
  }
});

describe('parseTokenResponse: malformed bodies', () => {
  const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl';

  const notObjects: [string, unknown][] = [
    ['null', null],
    ['an array', [{ access_token: SECRET }]],
    ['a string', `{"access_token":"${SECRET}"}`],
    ['a number', 1],
    ['undefined', undefined],
  ];
  for (const [label, input] of notObjects) {
    it(`rejects a top level that is ${label}`, () => {
      const err = assertMalformed(input, [SECRET]);
      assert.match(err.message, /expected a JSON object/);
    });
  }

  const badTokens: [string, unknown][] = [
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['whitespace', '   '],
    ['a number', 12345],
    ['an object', { value: SECRET }],
    ['an array', [SECRET]],
    ['with a newline (header injection)', `${SECRET}\r\nX-Evil: 1`],
    ['with a NUL', `${SECRET}\u0000`],
    ['with a space', `${SECRET} x`],
    ['with a tab', `${SECRET}\tx`],
    ['with DEL', `${SECRET}\u007f`],
    ['with a Latin-1 letter', `${SECRET}é`],
    ['with a non-Latin-1 character', `${SECRET}€`],
    ['with an emoji', `${SECRET}\u{1F600}`],
  ];
  for (const [label, token] of badTokens) {
    it(`rejects access_token ${label} without echoing the token or the body`, () => {
      const err = assertMalformed(
        { access_token: token, refresh_token: 'refresh-secret', scope: 'csp:org_member', expires_in: 1799 },
        [SECRET, 'refresh-secret', 'csp:org_member', 'X-Evil'],
      );
      assert.match(err.message, /access_token/);
    });
  }

  it('ignores token_type, scope, id_token and refresh_token', () => {
    assert.deepEqual(
      parseTokenResponse({
        access_token: SECRET,
        token_type: 'bearer',
        scope: 'csp:org_member',
        id_token: null,
        refresh_token: null,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        expires_in: 1799,
      }),
      { accessToken: SECRET, expiresInSeconds: 1799 },
    );
  });
});
