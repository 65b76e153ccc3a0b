/**
 * `--log.format=logfmt`: each JSON record becomes one logfmt line with the same content,
 * and secrets are scrubbed and redacted in both formats alike.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { jsonToLogfmt, logfmtValue } from '../../src/lib/logfmt.js';
import { createLogger, type LogFormat } from '../../src/lib/logger.js';
import { SecretRegistry } from '../../src/lib/secrets.js';

describe('jsonToLogfmt', () => {
  test('time, level and msg first, then the fields in order; nested objects as dotted keys', () => {
    const line = jsonToLogfmt(
      JSON.stringify({ level: 'warn', time: '2026-06-01T12:00:00.000Z', name: 'vmc-exporter', org_id: 'o1', err: { type: 'UpstreamError', message: 'GET https://vmc/x: HTTP 403 (forbidden)' }, msg: 'collection of the org failed' }),
    );
    assert.equal(
      line,
      'time=2026-06-01T12:00:00.000Z level=warn msg="collection of the org failed" name=vmc-exporter org_id=o1 err.type=UpstreamError err.message="GET https://vmc/x: HTTP 403 (forbidden)"\n',
    );
  });

  test('arrays of scalars join with commas, other arrays stay JSON; empty and null values are ""', () => {
    assert.equal(jsonToLogfmt('{"msg":"m","orgs":["a","b"],"x":[{"k":1}],"e":"","n":null,"o":{}}'), 'msg=m orgs=a,b x="[{\\"k\\":1}]" e="" n="" o=""\n');
  });

  test('quoting and escaping', () => {
    for (const [input, want] of [
      ['plain', 'plain'],
      ['two words', '"two words"'],
      ['a=b', '"a=b"'],
      ['say "hi"', '"say \\"hi\\""'],
      ['back\\slash', '"back\\\\slash"'],
      ['line\nbreak', '"line\\nbreak"'],
      ['\u0007bell', '"\\u0007bell"'],
      ['', '""'],
    ] as const) {
      assert.equal(logfmtValue(input), want, JSON.stringify(input));
    }
  });

  test('a line that is not a JSON object is kept as msg', () => {
    assert.equal(jsonToLogfmt('not json\n'), 'msg="not json"\n');
  });
});

describe('the logger in both formats', () => {
  const secret = 'Zq8-client-secret-9XkQ2mLwP4';
  const token = 'eyJhbGciOi.eyJzdWIiOiJ4In0.Sig-3kT9qQ';

  function capture(format: LogFormat): { text: () => string; logger: ReturnType<typeof createLogger> } {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        cb();
      },
    });
    const secrets = new SecretRegistry();
    secrets.add(secret);
    secrets.addToken(token);
    return { text: () => text, logger: createLogger('debug', secrets, sink, format) };
  }

  for (const format of ['json', 'logfmt'] as const) {
    test(`${format}: messages, errors and credential fields carry no secret`, () => {
      const { text, logger } = capture(format);
      logger.info({ org_id: 'o1' }, `echoed ${secret} and ${token}`);
      logger.warn({ err: new Error(`CSP said Basic ${secret}`, { cause: new Error(`cause ${token}`) }) }, 'failed');
      logger.error({ token, headers: { authorization: `Basic ${secret}` }, nested: { password: secret } }, 'credentials');
      logger.debug({ detail: `part of it: ${secret.slice(3, 15)}` }, 'fragment');
      const out = text();
      assert.equal(out.split('\n').filter(Boolean).length, 4);
      for (const bad of [secret, token, secret.slice(3, 15), token.slice(-10)]) assert.ok(!out.includes(bad), `${format} leaked ${bad}:\n${out}`);
      assert.ok(out.includes('[REDACTED]'));
      if (format === 'logfmt') {
        for (const line of out.split('\n').filter(Boolean)) assert.match(line, /^time=\S+ level=(info|warn|error|debug) msg=/);
        assert.ok(!out.includes('{"'), 'no JSON in logfmt output');
      } else {
        for (const line of out.split('\n').filter(Boolean)) JSON.parse(line);
      }
    });
  }
});
