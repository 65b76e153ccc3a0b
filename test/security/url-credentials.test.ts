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

const PASS = 'Pw9xQ7zK';

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
