import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApiTokenDetails } from '../../src/auth/parse-token-details.js';
import { MalformedResponseError } from '../../src/lib/errors.js';

describe('parseApiTokenDetails', () => {
  it('reads expiresAt in seconds or in milliseconds (by magnitude), and keeps nothing else', () => {
    assert.deepEqual(parseApiTokenDetails({ expiresAt: 1767225600, token: 'the-token-itself', tokenName: 'x' }), { expiresAtSeconds: 1767225600 });
    assert.deepEqual(parseApiTokenDetails({ expiresAt: 1767225600123 }), { expiresAtSeconds: 1767225600.123 });
    assert.deepEqual(parseApiTokenDetails({ expiresAt: '1767225600' }), { expiresAtSeconds: 1767225600 });
    for (const bad of [undefined, null, -1, 0, 'soon', Number.NaN]) assert.deepEqual(parseApiTokenDetails({ expiresAt: bad }), { expiresAtSeconds: undefined });
    assert.throws(() => parseApiTokenDetails([]), MalformedResponseError);
  });
});
