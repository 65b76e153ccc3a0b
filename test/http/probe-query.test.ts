import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_ORG_ID_LENGTH, MAX_PARAMETERS, MAX_QUERY_LENGTH, parseProbeQuery } from '../../src/http/probe-query.js';

const COLLECTORS = { active: ['sddcs', 'extra'], known: ['sddcs', 'extra', 'off'] };
const ORG = '0b0b0b0b-1111-4222-8333-000000000002';

describe('parseProbeQuery', () => {
  test('target alone: every active collector', () => {
    assert.deepEqual(parseProbeQuery(`target=${ORG}`, COLLECTORS), { ok: true, target: ORG, collectors: undefined });
  });

  test('collector is repeatable; repeats collapse', () => {
    const q = parseProbeQuery(`collector=extra&target=${ORG}&collector=extra&collector=sddcs`, COLLECTORS);
    assert.ok(q.ok);
    assert.deepEqual([...q.collectors!].sort(), ['extra', 'sddcs']);
  });

  test('percent-encoding is decoded before the org id is checked', () => {
    assert.deepEqual(parseProbeQuery('target=org%2Da', COLLECTORS), { ok: true, target: 'org-a', collectors: undefined });
  });

  const refused: Array<[string, string, RegExp, number?]> = [
    ['no query', '', /^missing target: use \?target=<org id>\n$/],
    ['no target', 'collector=sddcs', /^missing target/],
    ['empty target', 'target=', /^target is empty/],
    ['target twice', 'target=a&target=b', /^target given more than once/],
    ['a space (+)', 'target=a+b', /^target "a b" is not an org id/],
    ['a path', 'target=..%2F..%2Fetc', /^target "..\/..\/etc" is not an org id/],
    ['a broken escape', 'target=%zz', /^target "%zz" is not an org id/],
    ['a newline', 'target=a%0Ab', /^target "a\\nb" is not an org id/],
    ['a label breaker', 'target=a%22%7Db', /^target "a\\"}b" is not an org id/],
    ['an over-long org id', `target=${'a'.repeat(MAX_ORG_ID_LENGTH + 1)}`, /^target is not an org id \(longer than 128 characters\)\n$/],
    ['an unknown collector', `target=${ORG}&collector=nope`, /^unknown collector "nope" \(known: sddcs, extra\)\n$/],
    ['an empty collector', `target=${ORG}&collector=`, /^unknown collector ""/],
    ['a collector turned off', `target=${ORG}&collector=off`, /^collector "off" is turned off \(--no-collector\.off\)\n$/],
    ['an unknown parameter', `target=${ORG}&module=x`, /^unknown query parameter "module" \(expected target and collector\)\n$/],
    ['too many parameters', Array.from({ length: MAX_PARAMETERS + 1 }, () => 'collector=sddcs').join('&'), /^too many query parameters/],
    ['a query string over the limit', `target=${'a'.repeat(MAX_QUERY_LENGTH)}`, /^query string too long/, 414],
  ];
  for (const [what, query, message, status = 400] of refused) {
    test(`refuses ${what} with ${status} and one line`, () => {
      const q = parseProbeQuery(query, COLLECTORS);
      assert.equal(q.ok, false);
      if (q.ok) return;
      assert.equal(q.status, status);
      assert.match(q.message, message);
      assert.equal(q.message.split('\n').length, 2, 'one line');
      assert.ok(q.message.length < 200, 'short: long inputs are not echoed');
    });
  }
});
