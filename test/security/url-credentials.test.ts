/**
 * URL credentials never reach a message: `--csp.url` / `--vmc.url` values with a user name
 * and password, parsable or not, are refused with one line that shows them as `***`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { baseUrlValue } from '../../src/config/values.js';
import { ConfigError } from '../../src/lib/errors.js';
import { redactUrlCredentials } from '../../src/lib/redact-url.js';

const PASS = 'Pw9xQ7zK';

describe('redactUrlCredentials', () => {
  const cases: Array<[string, string]> = [
    [`ftp://user:${PASS}@host`, 'ftp://***@host'],
    [`https://user:${PASS}@host:8443/path`, 'https://***@host:8443/path'],
    [`https://${PASS}@host`, 'https://***@host'],
    [`user:${PASS}@host`, '***@host'],
    [`http://user:pa ss${PASS}@ho st`, 'http://***@ho st'],
    [`https://user:p@ss/w#rd${PASS}@host`, 'https://***@host'],
    [`http:/user:${PASS}@host`, '***@host'],
    [`http:\\\\user:${PASS}@host`, '***@host'],
    [`https://user:${PASS}`, 'https://user:***'],
    [`https://user:${PASS}/path`, 'https://user:***/path'],
    ['https://host:8443/x', 'https://host:8443/x'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://vmc.vmware.com', 'https://vmc.vmware.com'],
    ['console.cloud.vmware.com', 'console.cloud.vmware.com'],
    ['', ''],
  ];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(redactUrlCredentials(input), want));
});

describe('URL flags with credentials', () => {
  const values = [
    `ftp://user:${PASS}@host`,
    `ftp://${PASS}@host`,
    `https://user:${PASS}@vmc.example.com`,
    `http://user:pa ss${PASS}@host`,
    `http://user:${PASS}@ho st`,
    `https://user:p/ss${PASS}@host`,
    `https://user:${PASS}#x@host`,
    `user:${PASS}@host`,
    `//user:${PASS}@host`,
    `https://user:${PASS}`,
    `https://user:${PASS}@host/?q=1`,
  ];
  for (const value of values) {
    it(`${value.replace(PASS, '<PASS>')}: one line, no password`, async () => {
      let err: unknown;
      try {
        baseUrlValue(value, '--csp.url');
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ConfigError, `refused: ${String(err)}`);
      assert.match(err.message, /^--csp\.url: /);
      assert.ok(!err.message.includes(PASS), err.message);
      assert.ok(!err.message.includes('\n'));
      for (const flag of ['--csp.url', '--vmc.url']) {
        await assert.rejects(parseCommandLine([`${flag}=${value}`], { VMC_API_TOKEN: 'x'.repeat(20) }, { version: 't', collectors: COLLECTORS }), (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.ok(e.message.startsWith(`${flag}: `), e.message);
          assert.ok(!e.message.includes(PASS), e.message);
          return true;
        });
      }
    });
  }

  it('says why, with the credentials shown as ***', () => {
    assert.throws(() => baseUrlValue(`ftp://user:${PASS}@host`, '--vmc.url'), { message: '--vmc.url: "ftp://***@host" must start with http:// or https://' });
    assert.throws(() => baseUrlValue(`http://user:${PASS}@ho st`, '--vmc.url'), { message: '--vmc.url: "http://***@ho st" is not an absolute URL' });
    assert.throws(() => baseUrlValue(`https://user:${PASS}@host`, '--vmc.url'), { message: '--vmc.url: must not contain a user name or password' });
  });
});
