import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epochToSeconds, parseLenientDate } from '../../src/lib/dates.js';

describe('parseLenientDate', () => {
  const cases: Array<[string, unknown, { seconds: number; hasTime: boolean } | undefined]> = [
    ['RFC 3339 with Z', '2026-01-14T23:59:59Z', { seconds: Date.UTC(2026, 0, 14, 23, 59, 59) / 1000, hasTime: true }],
    ['RFC 3339 with fractions and an offset', '2026-01-14T23:59:59.123456+02:00', { seconds: Date.UTC(2026, 0, 14, 21, 59, 59, 123) / 1000, hasTime: true }],
    ['a date-time without a zone is UTC', '2026-01-14T06:00:00', { seconds: Date.UTC(2026, 0, 14, 6) / 1000, hasTime: true }],
    ['a calendar date is 00:00 UTC', '2026-01-14', { seconds: Date.UTC(2026, 0, 14) / 1000, hasTime: false }],
    ['epoch seconds as digits', '1767225600', { seconds: 1767225600, hasTime: true }],
    ['epoch milliseconds as digits', '1767225600000', { seconds: 1767225600, hasTime: true }],
    ['epoch seconds as a number', 1767225600, { seconds: 1767225600, hasTime: true }],
    ['an impossible date', '2026-02-30', undefined],
    ['a US date', '01/14/2026', undefined],
    ['words', 'next Tuesday', undefined],
    ['empty', '', undefined],
    ['null', null, undefined],
    ['a short number', '2026', undefined],
  ];
  for (const [label, input, expected] of cases) {
    it(label, () => assert.deepEqual(parseLenientDate(input), expected));
  }

  it('epochToSeconds decides by magnitude: above 10^11 is milliseconds', () => {
    assert.equal(epochToSeconds(1e11), 1e11);
    assert.equal(epochToSeconds(1e11 + 1000), (1e11 + 1000) / 1000);
    assert.equal(epochToSeconds(1767225600), 1767225600);
  });
});
