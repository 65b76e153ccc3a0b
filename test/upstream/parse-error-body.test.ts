import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { parseErrorBody } from '../../src/upstream/parse-error-body.js';

const FIXTURES = new URL('../fixtures/real-world/', import.meta.url);

function fixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURES), 'utf8');
}

describe('parseErrorBody: real error bodies', () => {
  it('CSP 401 (terraform-provider-vmc #183), numeric moduleCode', () => {
    assert.deepEqual(parseErrorBody(fixtureText('tfvmc-issue183-csp-error-401-missing-authorization.json')), {
      message: 'Missing mandatory request header: authorization',
      code: '250.100',
      requestId: 'fb5236b49918695e',
    });
  });

  it('CSP 404 (vmware-image-builder-action), string moduleCode and metadata', () => {
    assert.deepEqual(parseErrorBody(fixtureText('vib-csp-error-404-invalid-refresh-token.json')), {
      message: 'invalid_grant: Invalid refresh token: xxxx...tN3NK',
      code: '540.120-340.800',
      requestId: '0105e0f320064337',
    });
  });

  it('salt 403 body (NSX style: module_name, error_message, numeric error_code)', () => {
    assert.deepEqual(parseErrorBody(fixtureText('salt-http-error-403-body.json')), {
      message: 'The credentials were incorrect or the account specified has been locked.',
      code: '403',
    });
  });

  it('terraform v2 operation failure body (error_message only)', () => {
    assert.deepEqual(parseErrorBody(fixtureText('tfvmc-task-v2-operation-failed.json')), {
      message: 'SddcGroup creation failed',
    });
  });
});

describe('parseErrorBody: shapes', () => {
  const cases: [string, unknown, ReturnType<typeof parseErrorBody>][] = [
    [
      'VMC ErrorResponse: messages joined, error_code, path dropped',
      {
        status: 404,
        path: '/vmc/api/orgs/00000000-0000-0000-0000-000000000000/sddcs/1111',
        retryable: false,
        error_code: 'not_found',
        error_messages: ['Cannot find the SDDC with given identifier', 'Second message'],
      },
      { message: 'Cannot find the SDDC with given identifier; Second message', code: 'not_found' },
    ],
    [
      'VMC ErrorResponse: non-string and blank messages are dropped',
      { error_code: 'x', error_messages: [null, '  ', 3, 'only one'] },
      { message: 'only one', code: 'x' },
    ],
    [
      'VMC ErrorResponse: empty error_messages gives no message',
      { status: 403, error_code: 'forbidden', error_messages: [] },
      { code: 'forbidden' },
    ],
    [
      'CSP with errorCode and no cspErrorCode',
      { statusCode: 400, errorCode: 'invalid_request', message: 'bad', moduleCode: 340 },
      { message: 'bad', code: 'invalid_request' },
    ],
    [
      'CSP with moduleCode only',
      { statusCode: 400, message: 'invalid_grant: Invalid refresh token', moduleCode: 340 },
      { message: 'invalid_grant: Invalid refresh token', code: '340' },
    ],
    ['{error}', { error: 'Given SDDC does not exist' }, { message: 'Given SDDC does not exist' }],
    [
      'OAuth {error, error_description}',
      { error: 'invalid_client', error_description: 'Client authentication failed' },
      { message: 'Client authentication failed', code: 'invalid_client' },
    ],
    ['{message}', { message: 'Unauthorized' }, { message: 'Unauthorized' }],
    ['empty object', {}, {}],
    ['unrelated fields', { foo: 'bar', statusCode: 500 }, {}],
    ['fields of the wrong type', { message: 5, error_code: { x: 1 }, requestId: 7, error: false }, {}],
    ['error as an object', { error: { message: 'nested' } }, {}],
    [
      'whitespace and control characters collapse to one line',
      { message: '  line one\r\n\tline two\u0000  ' },
      { message: 'line one line two' },
    ],
  ];
  for (const [label, body, expected] of cases) {
    it(label, () => {
      assert.deepEqual(parseErrorBody(JSON.stringify(body)), expected);
    });
  }

  it('never returns path', () => {
    const info = parseErrorBody(JSON.stringify({ path: '/vmc/api/orgs/secret-org', error_messages: ['m'] }));
    assert.ok(!('path' in info));
    assert.doesNotMatch(JSON.stringify(info), /secret-org/);
  });

  it('accepts a BOM and leading whitespace', () => {
    assert.deepEqual(parseErrorBody('\uFEFF \n{"message":"m"}'), { message: 'm' });
  });
});

describe('parseErrorBody: not JSON objects', () => {
  const texts: [string, string][] = [
    ['empty', ''],
    ['whitespace', '  \n '],
    ['plain text', 'Unauthorized'],
    ['HTML', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['broken JSON', '{"message": "cut off'],
    ['a JSON array', '[{"message":"m"}]'],
    ['a JSON string', '"Unauthorized"'],
    ['JSON null', 'null'],
    ['a JSON number', '401'],
  ];
  for (const [label, text] of texts) {
    it(`${label} → {}`, () => {
      assert.deepEqual(parseErrorBody(text), {});
    });
  }
});

describe('parseErrorBody: length limits', () => {
  it('cuts message to 200 characters, ending in …', () => {
    const info = parseErrorBody(JSON.stringify({ message: 'x'.repeat(5000) }));
    assert.equal(info.message?.length, 200);
    assert.ok(info.message?.endsWith('…'));
  });

  it('leaves a 200-character message whole', () => {
    const message = 'y'.repeat(200);
    assert.equal(parseErrorBody(JSON.stringify({ message })).message, message);
  });

  it('cuts joined VMC error_messages too', () => {
    const info = parseErrorBody(JSON.stringify({ error_messages: Array.from({ length: 50 }, () => 'message text') }));
    assert.equal(info.message?.length, 200);
  });

  it('does not split a surrogate pair when cutting', () => {
    const info = parseErrorBody(JSON.stringify({ message: `${'a'.repeat(198)}😀😀😀` }));
    assert.ok(info.message !== undefined && info.message.length <= 200);
    const beforeEllipsis = info.message?.charCodeAt(info.message.length - 2) ?? 0;
    assert.ok(beforeEllipsis < 0xd800 || beforeEllipsis > 0xdbff, 'no lone high surrogate before …');
  });

  it('bounds code and requestId', () => {
    const info = parseErrorBody(JSON.stringify({ cspErrorCode: 'c'.repeat(1000), requestId: 'r'.repeat(1000) }));
    assert.ok((info.code?.length ?? 0) <= 100);
    assert.ok((info.requestId?.length ?? 0) <= 100);
  });
});
