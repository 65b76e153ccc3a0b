import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { MalformedResponseError } from '../../src/lib/errors.js';
import { parseOrg, parseOrgList } from '../../src/vmc/parse-orgs.js';

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
        { id: 'b', display_name: 'Org B', name: 'org-b', project_state: 'CREATED', properties: { values: { sddcLimit: '2' } } },
        { id: 'a', display_name: 'Org A', project_state: 'DELETED' },
      ]),
      [
        { id: 'a', displayName: 'Org A', projectState: 'DELETED' },
        { id: 'b', displayName: 'Org B', projectState: 'CREATED' },
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
      assert.deepEqual(parseOrgList([{ id: 'o', ...fields }]), [{ id: 'o', displayName: expected, projectState: '' }]);
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
      [{ id: 'ok', displayName: 'ok', projectState: '' }],
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
        { id: 'o', displayName: 'first', projectState: '' },
        { id: 'p', displayName: '', projectState: '' },
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

describe('parseOrg (GET /vmc/api/orgs/{org})', () => {
  it('reads one org: id, display name (else name), project_state', () => {
    assert.deepEqual(parseOrg({ id: 'o', name: 'short', display_name: 'Long Name', project_state: 'CREATED', org_type: 'CUSTOMER' }), {
      id: 'o',
      displayName: 'Long Name',
      projectState: 'CREATED',
    });
    assert.deepEqual(parseOrg({ id: 'o', name: 'short', project_state: null }), { id: 'o', displayName: 'short', projectState: '' });
  });

  for (const [label, input] of [
    ['an array', [{ id: 'o' }]],
    ['null', null],
    ['an object without id', { display_name: 'x' }],
    ['an empty id', { id: '' }],
  ] as const) {
    it(`throws MalformedResponseError for ${label}`, () => {
      assert.throws(() => parseOrg(input), MalformedResponseError);
    });
  }
});
