import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { MalformedResponseError } from '../../src/lib/errors.js';
import { parseOrgList } from '../../src/vmc/parse-orgs.js';

describe('parseOrgList', () => {
  const notArrays: [unknown, string][] = [
    [{ id: 'org-1', display_name: 'secret org' }, 'object'],
    [null, 'null'],
    ['[]', 'string'],
    [1, 'number'],
  ];
  for (const [input, typeName] of notArrays) {
    it(`throws MalformedResponseError for a top-level ${typeName}, naming the type only`, () => {
      assert.throws(
        () => parseOrgList(input),
        (err: unknown) => {
          assert.ok(err instanceof MalformedResponseError);
          assert.equal(err.message, `expected a JSON array of orgs, got ${typeName}`);
          return true;
        },
      );
    });
  }

  it('returns [] for an empty array', () => {
    assert.deepEqual(parseOrgList([]), []);
  });

  it('reads id and display_name, sorted by id', () => {
    assert.deepEqual(
      parseOrgList([
        { id: 'b', display_name: 'Org B', name: 'org-b', properties: { values: { sddcLimit: '2' } } },
        { id: 'a', display_name: 'Org A' },
      ]),
      [
        { id: 'a', displayName: 'Org A' },
        { id: 'b', displayName: 'Org B' },
      ],
    );
  });

  const names: [string, Record<string, unknown>, string][] = [
    ['display_name wins over name', { display_name: 'Display', name: 'name' }, 'Display'],
    ['name when display_name is absent', { name: 'name' }, 'name'],
    ['name when display_name is null', { display_name: null, name: 'name' }, 'name'],
    ['name when display_name is empty', { display_name: '', name: 'name' }, 'name'],
    ['name when display_name is not a string', { display_name: 5, name: 'name' }, 'name'],
    ["'' when neither is a string", { display_name: null, name: ['x'] }, ''],
    ["'' when both are absent", {}, ''],
  ];
  for (const [label, fields, expected] of names) {
    it(`displayName: ${label}`, () => {
      assert.deepEqual(parseOrgList([{ id: 'o', ...fields }]), [{ id: 'o', displayName: expected }]);
    });
  }

  it('skips entries that are not objects or have no non-empty string id', () => {
    assert.deepEqual(
      parseOrgList([
        null,
        'org',
        ['o'],
        {},
        { id: null },
        { id: '' },
        { id: 7 },
        { id: { value: 'x' } },
        { id: 'ok', name: 'ok' },
      ]),
      [{ id: 'ok', displayName: 'ok' }],
    );
  });

  it('keeps the first of repeated ids', () => {
    assert.deepEqual(
      parseOrgList([
        { id: 'o', display_name: 'first' },
        { id: 'p' },
        { id: 'o', display_name: 'second' },
      ]),
      [
        { id: 'o', displayName: 'first' },
        { id: 'p', displayName: '' },
      ],
    );
  });

  it('sorts in code-unit order, not locale order', () => {
    assert.deepEqual(
      parseOrgList([{ id: 'b' }, { id: 'B' }, { id: 'a' }]).map((o) => o.id),
      ['B', 'a', 'b'],
    );
  });
});
