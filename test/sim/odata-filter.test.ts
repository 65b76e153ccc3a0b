import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter, FilterSyntaxError } from '../../sim/src/odata-filter.js';

const tasks = [
  { id: 'a', status: 'STARTED', task_type: 'CLUSTER-ADD-HOSTS', created: '2025-10-01T10:00:00.000Z' },
  { id: 'b', status: 'FINISHED', task_type: "O'DD", created: '2025-10-02T10:00:00.000Z' },
  { id: 'c', status: 'FAILED', task_type: 'SDDC-DELETE', created: '2025-09-01T00:00:00Z' },
  { id: 'd', status: 'CANCELING', created: 'not a date' },
];
const ids = (filter: string) => tasks.filter(compileFilter(filter)).map((t) => t.id);

describe('simulator $filter subset', () => {
  it('compares dates with gt ge lt le eq ne, dates with and without a time', () => {
    assert.deepEqual(ids('created gt 2025-10-01T10:00:00.000Z'), ['b']);
    assert.deepEqual(ids('created ge 2025-10-01T10:00:00Z'), ['a', 'b']);
    assert.deepEqual(ids('(created lt 2025-10-01)'), ['c']);
    assert.deepEqual(ids('created le 2025-09-01T00:00:00Z'), ['c']);
    assert.deepEqual(ids('created ne 2025-09-01T00:00:00Z'), ['a', 'b']);
  });

  it('compares strings with eq and ne, quotes doubled inside', () => {
    assert.deepEqual(ids("status eq 'FAILED'"), ['c']);
    assert.deepEqual(ids("(status ne 'FINISHED') and (status ne 'FAILED')"), ['a', 'd']);
    assert.deepEqual(ids("task_type eq 'O''DD'"), ['b']);
  });

  it('joins with and / or, and binding tighter, parentheses grouping', () => {
    assert.deepEqual(ids("(created gt 2025-10-01T12:00:00Z) or (status eq 'STARTED') or (status eq 'CANCELING')"), ['a', 'b', 'd']);
    assert.deepEqual(ids("status eq 'FAILED' or status eq 'STARTED' and created gt 2025-10-05"), ['c']);
    assert.deepEqual(ids("(status eq 'FAILED' or status eq 'STARTED') and created gt 2025-09-15"), ['a']);
  });

  const bad = [
    '',
    'not (status eq \'FAILED\')',
    "contains(task_type, 'ADD')",
    'status eq FAILED',
    "status gt 'FAILED'",
    "created gt '2025-10-01'",
    'created gt yesterday',
    "org_id eq 'x'",
    "(status eq 'FAILED'",
    "status eq 'FAILED')",
    "status eq 'FAILED' xor status eq 'STARTED'",
    "status eq 'unterminated",
    'created gt 2025-13-45',
  ];
  for (const filter of bad) {
    it(`rejects ${JSON.stringify(filter)}`, () => {
      assert.throws(() => compileFilter(filter), FilterSyntaxError);
    });
  }
});
